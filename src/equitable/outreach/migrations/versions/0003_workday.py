"""The outreach worker's day: reason codes, school directory contact, worker contact, attendance.

- ``outreach_case.reason_codes``: the engagement pipeline's reasons as codes with parameters
  (``absent_streak{days=24}; chronic{absent=15, enrolled=60}``), rendered per language.
- ``outreach_school.address`` and ``phone``: from CDE's school directory, for family notices.
- ``outreach_user.contact``: how families reach a worker (a phone number or e-mail), on notices.
- ``outreach_attendance_day``: the daily attendance of the students with a case, from the latest
  engagement run imported, to compare attendance before and after the first successful contact.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outreach_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_codes', sa.Text(), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('outreach_school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
    with op.batch_alter_table('outreach_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact', sa.String(length=200), nullable=True))
    op.create_table(
        'outreach_attendance_day',
        sa.Column('student_id', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('present', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('student_id', 'day'),
    )


def downgrade() -> None:
    op.drop_table('outreach_attendance_day')
    with op.batch_alter_table('outreach_user', schema=None) as batch_op:
        batch_op.drop_column('contact')
    with op.batch_alter_table('outreach_school', schema=None) as batch_op:
        batch_op.drop_column('phone')
        batch_op.drop_column('address')
    with op.batch_alter_table('outreach_case', schema=None) as batch_op:
        batch_op.drop_column('reason_codes')

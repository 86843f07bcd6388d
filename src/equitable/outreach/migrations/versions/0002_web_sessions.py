"""Server-side sessions of the web app (outreach_web_session).

A signed cookie carries only a random session token; the row (keyed by the token's SHA-256)
says whose session it is, when it started, when it was last used and when and why it ended
(sign-out, password change, account disabled, ended by an administrator, idle, expired).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outreach_web_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('end_reason', sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['outreach_user.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('outreach_web_session', schema=None) as batch_op:
        batch_op.create_index('ix_web_session_user_ended', ['user_id', 'ended_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outreach_web_session', schema=None) as batch_op:
        batch_op.drop_index('ix_web_session_user_ended')
    op.drop_table('outreach_web_session')

"""English labels (message ids) of the stored codes; templates show ``_(labels[code])``."""

LABELS = {
    # contact modes
    "phone": "Phone", "text": "Text message", "email": "E-mail", "letter": "Letter",
    "home_visit": "Home visit",
    # outcomes
    "reached": "Reached", "no_answer": "No answer", "wrong_number": "Wrong number",
    "moved": "Moved",
    # disengagement reasons
    "connectivity_device": "Connectivity or device", "work": "Work",
    "caring_for_siblings": "Caring for siblings", "health": "Health", "housing": "Housing",
    "safety": "Safety", "other": "Other",
    # referrals
    "device_hotspot": "Device or hotspot", "food": "Food", "counseling": "Counseling",
    "transportation": "Transportation",
    # statuses
    "open": "Open", "re_engaged": "Re-engaged", "referred": "Referred", "closed": "Closed",
    "all": "All",
    # close reasons
    "transferred": "Transferred to another school",
    "moved_out_of_district": "Moved out of the district", "unreachable": "Unreachable",
    "graduated": "Graduated",
    # roles
    "admin": "District administrator", "school_staff": "School staff",
    "outreach_worker": "Outreach worker", "partner": "Community partner",
    # disclosure actions
    "view": "Viewed", "export": "Exported", "notice": "Notice written",
    # languages
    "english": "English", "spanish": "Spanish",
}

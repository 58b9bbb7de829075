"""Password policy: long enough, not obvious. Pure."""
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
COMMON = {
    "password123", "password1234", "1234567890", "12345678910", "qwertyuiop", "qwerty12345", "iloveyou123",
    "letmein1234", "welcome123", "welcome1234", "administrator", "passw0rd123", "1q2w3e4r5t", "abc1234567",
    "changeme123", "football123", "monkey12345", "sunshine123", "trustno1234", "0987654321", "1111111111",
    "aaaaaaaaaa", "password!!", "p@ssw0rd123", "qwerty123456", "123456789a", "a123456789", "zaq12wsxcde",
}


def password_problem(password: str, email: str = "") -> str | None:
    """Why this password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(n)d characters.", n=MIN_LENGTH)
    if password.lower() in COMMON or len(set(password)) < 4:
        return _l("This password is too common; choose another.")
    local = email.split("@")[0].lower()
    if len(local) >= 4 and local in password.lower():
        return _l("Do not use your email address in the password.")
    return None

"""Password policy: long enough, not obvious. Pure."""
import re

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
COMMON = {
    "password123", "password1234", "1234567890", "12345678910", "qwertyuiop", "qwerty12345", "iloveyou123",
    "letmein1234", "welcome123", "welcome1234", "administrator", "passw0rd123", "1q2w3e4r5t", "abc1234567",
    "changeme123", "football123", "monkey12345", "sunshine123", "trustno1234", "0987654321", "1111111111",
    "aaaaaaaaaa", "password!!", "p@ssw0rd123", "qwerty123456", "123456789a", "a123456789", "zaq12wsxcde",
    "1q2w3e4r5t6y", "1qaz2wsx3edc", "q1w2e3r4t5", "qazwsxedcrfv", "zaq1zaq1zaq1", "1qazxsw23edc", "asdfghjkl1",
    "qwertyuiop1", "asdfghjkl;", "zxcvbnm123", "123qweasdzxc", "qweasdzxc123", "987654321a", "123123123123",
    "11223344556", "abcdefghij", "abcd1234abcd", "iloveyou12", "princess123", "dragon12345", "baseball123",
}
# Words at the heart of most guessed passwords: refused alone, repeated, or with digits and symbols around them.
COMMON_WORDS = frozenset("""
password passwort passwd motdepasse contrasena senha parola pass word secret letmein welcome iloveyou
loveyou admin administrator root login user guest test tester default changeme qwerty qwertz azerty asdf
asdfgh asdfghjkl zxcv zxcvbnm qazwsx abc abcd abcdef abcdefg sunshine princess football baseball soccer
hockey basketball master shadow michael jordan superman batman spiderman trustno starwars whatever freedom
hello charlie dragon monkey summer winter spring autumn monday friday january december killer ninja
cookie cheese chocolate pokemon computer internet samsung iphone google facebook welcome onboarding
company manager sales salesman account office business money success purifier calder airworks
""".split())
KEYBOARD_RUNS = ("qwertyuiopasdfghjklzxcvbnm", "1234567890", "0987654321", "abcdefghijklmnopqrstuvwxyz",
                 "1qaz2wsx3edc4rfv5tgb", "zaq12wsxcde34rfv", "qazwsxedcrfvtgbyhn", "mnbvcxzlkjhgfdsapoiuytrewq")
LEET = str.maketrans("@4310$5!|7", "aaeiossilt")


def is_common(password: str) -> bool:
    """On the list; a common word with only digits and symbols around it; or a keyboard or alphabet run."""
    lowered = password.lower()
    if lowered in COMMON:
        return True
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered).translate(LEET)
    if not core:
        return True  # nothing but digits and symbols
    for word in COMMON_WORDS:
        if core == word or (len(core) % len(word) == 0 and core == word * (len(core) // len(word))):
            return True
    squashed = re.sub(r"[\W_]+", "", lowered)
    return len(squashed) >= 8 and any(squashed in run for run in KEYBOARD_RUNS)


def password_problem(password: str, email: str = "") -> str | None:
    """Why this password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(n)d characters.", n=MIN_LENGTH)
    if is_common(password) or len(set(password)) < 4:
        return _l("This password is too common; choose another.")
    local = email.split("@")[0].lower()
    if len(local) >= 4 and local in password.lower():
        return _l("Do not use your email address in the password.")
    return None

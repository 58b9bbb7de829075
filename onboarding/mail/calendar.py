"""Role-play meetings as iCalendar (RFC 5545) objects, built with the icalendar package; no Flask, no database.

One attempt is one event for its whole life: the same UID, a SEQUENCE the attempt raises each time it moves or is
cancelled, METHOD:REQUEST for an invitation or an update, METHOD:CANCEL for a cancellation, METHOD:PUBLISH for the
"Add to calendar" download. Times are UTC (the app keeps them in UTC), so every calendar places the meeting at the
same instant in its own time zone; the description (mail.outbox.meeting) names the time in the reader's zone.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

#: A role-play meeting's length in the calendar.
MEETING_MINUTES = 60
PRODUCT = "-//Account manager onboarding//Role-play//EN"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Meeting:
    uid: str
    sequence: int
    start: datetime
    summary: str
    description: str
    location: str | None
    url: str
    organizer: Person
    attendees: tuple
    cancelled: bool = False


def meeting_uid(attempt_id: int, domain: str) -> str:
    """The event's UID for every message and download about this attempt."""
    return f"role-play-{attempt_id}@{domain}"


def _utc(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _person(person: Person, **params):
    import icalendar

    address = icalendar.vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = icalendar.vText(person.name)
    for key, value in params.items():
        address.params[key] = icalendar.vText(value)
    return address


def ics(meeting: Meeting, method: str, now: datetime | None = None) -> str:
    """The calendar object as text: REQUEST (invite or update), CANCEL, or PUBLISH (a download)."""
    import icalendar  # imported when a meeting is first written: the package is about a sixth of a worker's memory

    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", _utc(now or datetime.now(timezone.utc)))
    event.add("dtstart", _utc(meeting.start))
    event.add("dtend", _utc(meeting.start) + timedelta(minutes=MEETING_MINUTES))
    event.add("summary", meeting.summary)
    event.add("description", meeting.description)
    if meeting.location:
        event.add("location", meeting.location)
    event.add("url", meeting.url)
    event.add("status", "CANCELLED" if meeting.cancelled or method == "CANCEL" else "CONFIRMED")
    event.add("organizer", _person(meeting.organizer))
    for person in meeting.attendees:
        event.add("attendee", _person(person, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION",
                                      RSVP="FALSE"))
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")

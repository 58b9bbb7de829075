"""E-mail: every notification can also go out as a message, written to an outbox in the same transaction as the
event and delivered by the `send-mail` worker; role-play invitations travel as iCalendar attachments.

This room reads notifications (it words new Notification rows for their readers as they are flushed); the
notifications room does not know it exists. See outbox.install, called once by create_app.
"""

"""Files for the evidence tests: one of each accepted type, and the refused ones (bytes, name)."""
import io
import zipfile

from onboarding.evidence.samples import one_page_pdf, tone_wav


def _zip(members, first_stored=None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if first_stored:
            archive.writestr(zipfile.ZipInfo(first_stored[0]), first_stored[1])
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def docx() -> bytes:
    return _zip([("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<Relationships/>"),
                 ("word/document.xml", "<w:document>Proposal</w:document>")])


def xlsx() -> bytes:
    return _zip([("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<Relationships/>"),
                 ("xl/workbook.xml", "<workbook/>")])


def odt() -> bytes:
    return _zip([("content.xml", "<office:document-content/>")],
                first_stored=("mimetype", "application/vnd.oasis.opendocument.text"))


def zip_bomb_docx() -> bytes:
    """A DOCX whose one member unpacks to 300 MB of zeros (packed into some 300 KB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(300):
                member.write(block)
    return out.getvalue()


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 400
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom\x00\x00\x00\x00" + b"\x00" * 200
AAC = b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\x00" * 200
OGG_OPUS = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x13OpusHead\x01\x01" + b"\x00" * 200
WEBM = (bytes.fromhex("1a45dfa3") + b"\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
        b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + b"\x00" * 200)

#: (name, bytes, the type it is served as): one of each accepted type.
ACCEPTED = [
    ("proposal.pdf", one_page_pdf(["Commercial proposal"]), "application/pdf"),
    ("application.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("prices.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("letter.odt", odt(), "application/vnd.oasis.opendocument.text"),
    ("crm.png", PNG, "image/png"),
    ("crm.jpg", JPEG, "image/jpeg"),
    ("call.mp3", MP3, "audio/mpeg"),
    ("call.m4a", M4A, "audio/mp4"),
    ("call.aac", AAC, "audio/aac"),
    ("call.ogg", OGG_OPUS, "audio/ogg"),
    ("call.wav", tone_wav(0.5), "audio/wav"),
    ("pitch.webm", WEBM, "audio/webm"),
]

#: (name, bytes, reason): refused whatever the name says.
REFUSED = [
    ("call.mp3", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "not_accepted"),
    ("tool.mp3", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "not_accepted"),
    ("proposal.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "unknown_type"),
    ("empty.pdf", b"", "empty"),
    ("archive.docx", _zip([("notes.txt", "not a document")]), "not_accepted"),
    ("bomb.docx", zip_bomb_docx(), "zip_bomb"),
]

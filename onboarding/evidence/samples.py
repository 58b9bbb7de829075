"""Small, valid files made in code: a tone as WAV and a one-page PDF, for the demo data (and the tests)."""
import io
import math
import struct
import wave


def tone_wav(seconds: float = 4.0, hertz: float = 440.0, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of a sine tone that fades in and out: a stand-in for a recorded call."""
    frames = int(seconds * rate)
    fade = rate // 10
    samples = bytearray()
    for i in range(frames):
        level = min(1.0, i / fade, (frames - i) / fade)
        samples += struct.pack("<h", int(12000 * level * math.sin(2 * math.pi * hertz * i / rate)))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(samples))
    return out.getvalue()


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def one_page_pdf(lines: list) -> bytes:
    """A one-page PDF 1.4 with lines of Latin text in Helvetica, its cross-reference table exact."""
    stream = "BT /F1 12 Tf 72 760 Td 16 TL " + " ".join(f"({_pdf_text(line)}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)

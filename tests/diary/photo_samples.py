"""Uploads a person might send, good and bad, built in memory."""

import io

from PIL import Image

from tests.conftest import make_image_bytes


def jpeg_with_gps_and_rotation() -> bytes:
    """A 60x40 landscape JPEG whose EXIF says: rotate 90° clockwise to view, and where it was taken."""
    image = Image.new("RGB", (60, 40), (255, 0, 0))
    # Left half red, right half blue: after the rotation the blue half is at the bottom.
    image.paste((0, 0, 255), (30, 0, 60, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 41.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _rotated_landscape_with_gps() -> tuple[Image.Image, Image.Exif]:
    image = Image.new("RGB", (60, 40), (255, 0, 0))
    image.paste((0, 0, 255), (30, 0, 60, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 41.0)}
    return image, exif


def heic_with_gps_and_rotation() -> bytes:
    """What an iPhone sends: a HEIC whose EXIF says rotate 90° clockwise, with a location."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    image, exif = _rotated_landscape_with_gps()
    buffer = io.BytesIO()
    image.save(buffer, format="HEIF", exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


def mpo_with_gps_and_rotation() -> bytes:
    """A multi-picture JPEG as many Android and Nintendo/Fujifilm cameras write it: the photo,
    then a second picture (green here), with the photo's EXIF saying rotate and where."""
    image, exif = _rotated_landscape_with_gps()
    second = Image.new("RGB", (60, 40), (0, 255, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="MPO", save_all=True, append_images=[second], exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


def truncated_heic() -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    noisy = Image.effect_noise((256, 256), 80).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, format="HEIF")
    data = buffer.getvalue()
    return data[: len(data) // 2]


def truncated_jpeg() -> bytes:
    data = make_image_bytes("JPEG", size=(400, 300), colour=(10, 200, 30), quality=95)
    noisy = Image.effect_noise((400, 300), 80).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, format="JPEG", quality=95)
    data = buffer.getvalue()
    return data[: len(data) // 2]


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (20, 20), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def too_many_pixels_png() -> bytes:
    """41 megapixels of one colour: a small file that would decode to ~125 MB."""
    buffer = io.BytesIO()
    Image.new("L", (8200, 5000), 128).save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


HTML_AS_JPEG = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG_AS_JPEG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
               b'<script>alert(1)</script><rect width="10" height="10"/></svg>')
# The start of a real HEIC file (ISO-BMFF 'ftyp' box with brand heic), which Pillow cannot read.
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 2000

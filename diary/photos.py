"""Checking and cleaning an uploaded photo before anything is stored.

A selfie is sensitive: we decide what it is from its bytes (never its name), refuse anything
odd with a sentence that says what to do, turn it upright, drop every piece of metadata (GPS,
camera serials, dates) by re-encoding only the pixels, and make a thumbnail.
"""

import io
import warnings
from dataclasses import dataclass

import pillow_heif
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# HEIC/HEIF is the iPhone's default; pillow-heif teaches Pillow to read it (never to write it here:
# everything is stored as JPEG).
pillow_heif.register_heif_opener()

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO", "HEIF"}
# Formats that carry extra pictures next to the photo (MPO: the second eye of a 3D shot or a
# depth map that phone cameras write; HEIF: a burst or a depth image). They are stills: we keep
# the first (primary) picture and drop the rest with the metadata.
MULTI_PICTURE_STILLS = {"MPO", "HEIF"}
THUMBNAIL_SIZE = (320, 320)
JPEG_QUALITY = 90

# Pillow must not decode more pixels than we allow; our own check runs first with a kinder message.
Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS


@dataclass(frozen=True)
class CleanPhoto:
    photo: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_photo")


def _read_bytes(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > settings.PHOTO_MAX_BYTES:
        raise _too_large()
    upload.seek(0)
    data = upload.read(settings.PHOTO_MAX_BYTES + 1)
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise _too_large()
    if not data:
        raise _refuse(_("The file is empty. Please choose a photo."))
    return data


def _too_large() -> ValidationError:
    limit_mb = settings.PHOTO_MAX_BYTES // (1024 * 1024)
    return _refuse(
        _("This photo is larger than %(limit)d MB. Please choose a smaller photo or take a new one.")
        % {"limit": limit_mb}
    )


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError):
        raise _not_a_photo() from None
    except ValueError:  # pillow-heif: a HEIC whose boxes point outside the file
        raise _damaged() from None
    if image.format == "GIF":
        raise _refuse(_("GIF images are not accepted. Please choose a JPEG, PNG, WebP or HEIC photo."))
    if image.format not in ACCEPTED_FORMATS:
        raise _not_a_photo()
    if image.format in MULTI_PICTURE_STILLS:
        image.seek(0)
    elif getattr(image, "is_animated", False):
        raise _refuse(_("Moving (animated) images are not accepted. Please choose a still photo."))
    width, height = image.size
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise _too_many_pixels()
    return image


def _not_a_photo() -> ValidationError:
    return _refuse(_("This file is not a JPEG, PNG, WebP or HEIC photo. Please choose a photo."))


def _damaged() -> ValidationError:
    return _refuse(_("This photo seems damaged or incomplete. Please try another photo, or take it again."))


def _too_many_pixels() -> ValidationError:
    return _refuse(
        _("This photo has too many pixels (the limit is %(limit)d megapixels). Please choose a smaller photo.")
        % {"limit": settings.PHOTO_MAX_PIXELS // 1_000_000}
    )


def _decode(image: Image.Image) -> Image.Image:
    try:
        image.load()
    except (OSError, SyntaxError, ValueError):
        raise _damaged() from None
    return image


def _encode_jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # Only pixels are written: no exif=, no icc_profile=, so no metadata survives.
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def clean_photo(upload) -> CleanPhoto:
    """Validate and clean an uploaded file; raises ValidationError with a message for the person."""
    data = _read_bytes(upload)
    image = _decode(_open(data))
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "L"):
        background = Image.new("RGB", upright.size, "white")
        rgba = upright.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        upright = background
    pixels = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    thumb = pixels.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    return CleanPhoto(
        photo=ContentFile(_encode_jpeg(pixels), name="photo.jpg"),
        thumbnail=ContentFile(_encode_jpeg(thumb), name="thumb.jpg"),
        width=pixels.width,
        height=pixels.height,
    )

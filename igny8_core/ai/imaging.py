"""Generated images are normalised before storage: decoded (so a broken answer fails the
item, not the page that shows it), EXIF-rotated, flattened for JPEG, bounded to
IGNY8_IMAGE_MAX_SIZE, re-encoded as IGNY8_IMAGE_FORMAT, plus a thumbnail; then written
through Django's default storage.

An answer that is already what would be stored (the stored format, upright, within the size
bound, RGB for JPEG: what a GPT image model sends when asked for that format) is kept as it
came and only decoded for its thumbnail - for a JPEG at the reduced scale libjpeg decodes
directly, which still reads the whole stream, so a truncated answer fails as before."""

import io
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from .exceptions import MalformedOutput

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
QUALITY = 86  # JPEG and WEBP; providers that can are asked to encode at it (output_compression)
# Thumbnails are small: BOX (each pixel the average of the area it covers) costs about 60% of
# BILINEAR and 40% of BICUBIC (1.5 / 2.4 / 3.6 ms from a 512 px decode), and the difference does
# not show at thumbnail size.
THUMBNAIL_FILTER = Image.Resampling.BOX
EXIF_ORIENTATION = 0x0112


@dataclass
class NormalisedImage:
    data: bytes
    thumbnail: bytes
    width: int
    height: int
    extension: str


def _encode(image: Image.Image, fmt: str) -> bytes:
    # No `optimize`: it buys 2-5% of bytes for an extra encoding pass (JPEG) or zlib's slowest
    # level (PNG) on every image of every run.
    buffer = io.BytesIO()
    options = {"quality": QUALITY} if fmt in ("JPEG", "WEBP") else {}
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def normalise(
    data: bytes, fmt: str | None = None, max_size: int | None = None, thumbnail_size: int | None = None
) -> NormalisedImage:
    fmt = (fmt or settings.IGNY8_IMAGE_FORMAT).upper()
    if fmt not in EXTENSIONS:
        raise ValueError(f"IGNY8_IMAGE_FORMAT must be one of {', '.join(EXTENSIONS)}, not {fmt!r}.")
    max_size = max_size or settings.IGNY8_IMAGE_MAX_SIZE
    thumbnail_size = thumbnail_size or settings.IGNY8_IMAGE_THUMBNAIL_SIZE
    try:
        image = Image.open(io.BytesIO(data))
        if _storable_as_is(image, fmt, max_size):
            return _kept_as_is(data, image, thumbnail_size)
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise MalformedOutput(f"The provider's image could not be decoded ({type(exc).__name__}).") from None
    ImageOps.exif_transpose(image, in_place=True)  # no copy of the whole bitmap
    if fmt == "JPEG" or image.mode not in ("RGB", "RGBA"):
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, (255, 255, 255))
            background.paste(image, mask=image.getchannel("A"))
            image = background
        elif image.mode != "RGB":  # converting RGB to RGB would only copy the bitmap
            image = image.convert("RGB")
    if max(image.size) > max_size:  # a large image keeps LANCZOS: it is the one readers see
        image.thumbnail((max_size, max_size), Image.Resampling.LANCZOS)
    # The thumbnail: the size thumbnail() gives, reduced by a whole factor first (reducing_gap=1:
    # a cheap box reduction) and finished with THUMBNAIL_FILTER. resize() makes it from the
    # (resized) image as thumbnail() would, without first copying the whole bitmap.
    size = thumbnail_box(image.size, thumbnail_size)
    thumb = image if size == image.size else image.resize(size, THUMBNAIL_FILTER, reducing_gap=1.0)
    return NormalisedImage(_encode(image, fmt), _encode(thumb, fmt), image.width, image.height, EXTENSIONS[fmt])


def _storable_as_is(image: Image.Image, fmt: str, max_size: int) -> bool:
    """Whether the answer is already what normalise() would store (read from its header)."""
    if image.format != fmt or max(image.size) > max_size:
        return False
    if image.mode != "RGB" and (fmt == "JPEG" or image.mode != "RGBA"):
        return False
    return bool(image.getexif().get(EXIF_ORIENTATION, 1) == 1)


def _kept_as_is(data: bytes, image: Image.Image, thumbnail_size: int) -> NormalisedImage:
    width, height = image.size
    size = thumbnail_box(image.size, thumbnail_size)
    # A JPEG decodes at the smallest of 1/2, 1/4, 1/8 of its size that is still at least the
    # thumbnail's (draft() does nothing for other formats); load() reads the whole stream.
    image.draft(image.mode, size)
    image.load()
    if size == (width, height):
        thumbnail = data
    else:
        thumbnail = _encode(image.resize(size, THUMBNAIL_FILTER, reducing_gap=1.0), image.format or "")
    return NormalisedImage(data, thumbnail, width, height, EXTENSIONS[image.format or ""])


def thumbnail_box(size: tuple[int, int], bound: int) -> tuple[int, int]:
    """The size Image.thumbnail((bound, bound)) gives (its rounding, copied): aspect ratio kept,
    never enlarged."""
    width, height = size
    if bound >= width and bound >= height:
        return size
    aspect = width / height
    if aspect <= 1:  # portrait or square: the height is the bound
        return _round_aspect(bound * aspect, lambda n: abs(aspect - n / bound)), bound
    return bound, _round_aspect(bound / aspect, lambda n: 0 if n == 0 else abs(aspect - bound / n))


def _round_aspect(number: float, key) -> int:
    return max(min(math.floor(number), math.ceil(number), key=key), 1)


@dataclass
class StoredImage:
    file_name: str
    thumbnail_name: str
    width: int
    height: int

    def delete(self) -> None:
        for name in (self.file_name, self.thumbnail_name):
            if name:
                default_storage.delete(name)


def store(image: NormalisedImage, path_for) -> StoredImage:
    """Write the image and its thumbnail; `path_for(filename)` gives the storage path.

    Names carry a random token, so a regenerated image never overwrites or reuses a file.
    """
    token = secrets.token_hex(4)
    file_name = default_storage.save(path_for(f"{token}.{image.extension}"), ContentFile(image.data))
    try:
        thumb_name = default_storage.save(path_for(f"{token}-thumb.{image.extension}"), ContentFile(image.thumbnail))
    except Exception:
        default_storage.delete(file_name)
        raise
    return StoredImage(file_name, thumb_name, image.width, image.height)

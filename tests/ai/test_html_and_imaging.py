"""Model output hygiene: HTML sanitising and word counts, image normalisation."""

import io

import pytest
from PIL import Image

from igny8_core.ai import imaging
from igny8_core.ai.exceptions import MalformedOutput
from igny8_core.ai.html import (
    plain_text,
    sanitize_and_count,
    sanitize_html,
    section_headings,
    text_and_headings,
    word_count,
)
from igny8_core.ai.schema import parse_and_validate


def test_sanitiser_keeps_structure_and_drops_active_content():
    dirty = (
        '<h1>Title</h1><p onclick="steal()" style="color:red">Hi <strong>there</strong>'
        "<script>alert(1)</script></p><ul><li>one</li><li>two</li></ul>"
        '<a href="javascript:alert(1)">bad</a> <a href="https://example.com/x" target="_blank">good</a>'
        '<iframe src="https://evil"></iframe><img src=x onerror=alert(1)><p>unclosed'
    )
    clean = sanitize_html(dirty)
    assert clean == (
        "<h2>Title</h2><p>Hi <strong>there</strong></p><ul><li>one</li><li>two</li></ul>"
        '<a rel="nofollow noopener">bad</a> <a href="https://example.com/x" rel="nofollow noopener">good</a>'
        "<p>unclosed</p>"
    )


def test_word_count_counts_words_not_tags():
    html = "<h2>Cold brew</h2><p>It's a well-known, easy drink.</p><ul><li>ice</li><li>beans</li></ul>"
    assert plain_text(html) == "Cold brew It's a well-known, easy drink. ice beans"
    assert word_count(html) == 9
    assert section_headings(html) == ["Cold brew"]
    assert text_and_headings(html) == ("Cold brew It's a well-known, easy drink. ice beans", ["Cold brew"])
    assert word_count("") == 0


ONE_PASS_CASES = [
    "",
    "<h2>Cold brew</h2><p>It's a well-known, easy drink.</p><ul><li>ice</li><li>beans</li></ul>",
    "<h1>Top</h1><p>a<font>b</font>c <b>d</b>e</p><script>x y z</script><style>p{}</style>",
    "<p>fish &amp; chips &lt;3 caf&eacute; r&#233;sum&#x00E9;</p><p>unclosed <em>inner",
    "<div><h2>One</h2>text<h3>Sub</h3>more<h2>Two <i>parts</i></h2></div><svg/>after<br>line",
    "plain words, no tags at all - and_under_scores 'quoted' don't",
]


@pytest.mark.parametrize("html", ONE_PASS_CASES)
def test_the_sanitisers_word_count_is_what_reading_its_output_back_counts(html):
    clean, words = sanitize_and_count(html)
    assert words == word_count(clean)  # the count of an independent parse of the output


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty answer"),
        ("{", "not valid JSON"),
        ('{"a": 1}', "'b' is a required property"),
    ],
)
def test_parse_and_validate_errors(text, message):
    schema = {"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}}}
    with pytest.raises(MalformedOutput, match=message):
        parse_and_validate(text, schema)


def _rotated_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[imaging.EXIF_ORIENTATION] = 6  # stored sideways: to be turned by 90 degrees
    return exif


def _png(size, mode="RGBA"):
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 10, 10, 128) if mode == "RGBA" else (200, 10, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def test_normalise_bounds_size_flattens_alpha_and_makes_a_thumbnail():
    result = imaging.normalise(_png((3000, 1500)), fmt="JPEG", max_size=1000, thumbnail_size=250)
    assert (result.width, result.height, result.extension) == (1000, 500, "jpg")
    with Image.open(io.BytesIO(result.data)) as image:
        assert image.format == "JPEG" and image.mode == "RGB" and image.size == (1000, 500)
    with Image.open(io.BytesIO(result.thumbnail)) as thumb:
        assert thumb.size == (250, 125)


def test_normalise_keeps_small_images_and_other_formats():
    result = imaging.normalise(_png((300, 200)), fmt="WEBP", max_size=1000, thumbnail_size=100)
    assert (result.width, result.height, result.extension) == (300, 200, "webp")
    with Image.open(io.BytesIO(result.data)) as image:
        assert image.format == "WEBP"


@pytest.mark.parametrize("size", [(1024, 1024), (1792, 1024), (1024, 1536), (999, 333), (401, 7)])
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_normalise_sizes_are_those_of_a_plain_lanczos_thumbnail(size, fmt):
    """The cheaper filters change pixels, never dimensions or formats."""
    result = imaging.normalise(_png(size, "RGB"), fmt=fmt, max_size=1000, thumbnail_size=400)
    kept = imaging.normalise(_encoded(size, fmt), fmt=fmt, max_size=2000, thumbnail_size=400)
    assert (kept.width, kept.height) == size
    with Image.open(io.BytesIO(kept.thumbnail)) as thumb:
        assert thumb.format == fmt
        assert thumb.size == (imaging.thumbnail_box(size, 400) if max(size) > 400 else size)
    expected = Image.new("RGB", size)
    expected.thumbnail((1000, 1000), Image.Resampling.LANCZOS)
    thumb_expected = expected.copy()
    thumb_expected.thumbnail((400, 400), Image.Resampling.LANCZOS)
    with Image.open(io.BytesIO(result.data)) as image, Image.open(io.BytesIO(result.thumbnail)) as thumb:
        assert (image.format, image.size, thumb.format, thumb.size) == (fmt, expected.size, fmt, thumb_expected.size)
    assert (result.width, result.height) == expected.size


@pytest.mark.parametrize(
    "size", [(1024, 1024), (1792, 1024), (1024, 1792), (999, 333), (333, 999), (401, 7), (7, 401), (400, 400), (50, 60)]
)
def test_thumbnail_box_is_the_size_pillows_thumbnail_gives(size):
    expected = Image.new("L", size)
    expected.thumbnail((400, 400))
    assert imaging.thumbnail_box(size, 400) == expected.size


def test_the_thumbnail_is_pixel_for_pixel_what_thumbnail_makes_of_the_stored_image():
    """Made without copying the stored image first, the thumbnail is still the same picture."""
    source = Image.effect_mandelbrot((1200, 700), (-2, -1.5, 1, 1.5), 60).convert("RGB")
    buffer = io.BytesIO()
    source.save(buffer, format="PNG")
    result = imaging.normalise(buffer.getvalue(), fmt="PNG", max_size=1000, thumbnail_size=400)
    expected = source.copy()
    expected.thumbnail((1000, 1000), Image.Resampling.LANCZOS)
    expected.thumbnail((400, 400), imaging.THUMBNAIL_FILTER, reducing_gap=1.0)
    with Image.open(io.BytesIO(result.thumbnail)) as thumb:
        assert thumb.size == expected.size and thumb.convert("RGB").tobytes() == expected.tobytes()


def _encoded(size, fmt, mode="RGB", **options) -> bytes:
    buffer = io.BytesIO()
    Image.effect_mandelbrot(size, (-2, -1.5, 1, 1.5), 40).convert(mode).save(buffer, format=fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_an_answer_already_in_the_stored_form_is_kept_as_it_came(fmt):
    """What a GPT image model sends when asked for the stored format is not decoded and
    re-encoded: only its thumbnail is made (for a JPEG from a reduced-scale decode)."""
    data = _encoded((1024, 768), fmt)

    result = imaging.normalise(data, fmt=fmt, max_size=1600, thumbnail_size=400)

    assert result.data == data and (result.width, result.height) == (1024, 768)
    with Image.open(io.BytesIO(result.thumbnail)) as thumb:
        assert (thumb.format, thumb.size) == (fmt, (400, 300))
        # The same picture: close to a full-scale thumbnail, pixel by pixel.
        with Image.open(io.BytesIO(data)) as source:
            expected = source.convert("RGB")
        expected.thumbnail((400, 400), Image.Resampling.LANCZOS)
        difference = [abs(a - b) for a, b in zip(thumb.convert("RGB").tobytes(), expected.tobytes(), strict=True)]
        assert sum(difference) / len(difference) < 6


@pytest.mark.parametrize(
    "why, data, fmt",
    [
        ("another format", _encoded((600, 400), "PNG"), "JPEG"),
        ("too large", _encoded((1200, 400), "JPEG"), "JPEG"),
        ("not RGB", _encoded((600, 400), "JPEG", mode="L"), "JPEG"),
        ("rotated by its EXIF", _encoded((600, 400), "JPEG", exif=_rotated_exif()), "JPEG"),
    ],
)
def test_an_answer_that_is_not_in_the_stored_form_is_re_encoded(why, data, fmt):
    result = imaging.normalise(data, fmt=fmt, max_size=1000, thumbnail_size=200)
    assert result.data != data, why
    with Image.open(io.BytesIO(result.data)) as stored:
        assert stored.format == fmt and stored.mode == "RGB" and max(stored.size) <= 1000
        assert stored.getexif().get(imaging.EXIF_ORIENTATION, 1) == 1


def test_a_truncated_answer_in_the_stored_form_is_refused():
    data = _encoded((1024, 768), "JPEG")
    with pytest.raises(MalformedOutput, match="could not be decoded"):
        imaging.normalise(data[: len(data) // 2], fmt="JPEG", max_size=1600, thumbnail_size=400)


def test_normalise_rejects_what_is_not_an_image():
    with pytest.raises(MalformedOutput, match="could not be decoded"):
        imaging.normalise(b"<html>oops</html>")
    with pytest.raises(ValueError, match="IGNY8_IMAGE_FORMAT"):
        imaging.normalise(_png((10, 10)), fmt="BMP")

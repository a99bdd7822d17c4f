"""Small builders for pipeline rows (the API tests need items in every state)."""

import io
from itertools import count

from django.core.files.base import ContentFile
from PIL import Image as PILImage

from igny8_core.planner.models import Clusters, ContentIdeas, Keywords
from igny8_core.writer.models import Content, Images, Tasks

_seq = count(1)


def keyword(site, text=None, **fields) -> Keywords:
    return Keywords.objects.create(site=site, keyword=text or f"keyword {next(_seq)}", **fields)


def cluster(site, name=None, **fields) -> Clusters:
    return Clusters.objects.create(site=site, name=name or f"cluster {next(_seq)}", **fields)


def idea(site, cluster_=None, **fields) -> ContentIdeas:
    return ContentIdeas.objects.create(site=site, cluster=cluster_, idea_title=f"idea {next(_seq)}", **fields)


def task(site, idea_=None, **fields) -> Tasks:
    return Tasks.objects.create(site=site, idea=idea_, title=f"task {next(_seq)}", **fields)


def content(site, status=Content.Status.REVIEW, task_=None, **fields) -> Content:
    fields.setdefault("html_content", "<h2>Intro</h2><p>Some words here.</p>")
    fields.setdefault("word_count", 4)
    return Content.objects.create(site=site, task=task_, title=f"content {next(_seq)}", status=status, **fields)


def png_bytes(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def image(content_, image_type=Images.ImageType.FEATURED, position=0, generated=True, **fields) -> Images:
    img = Images(
        site=content_.site,
        account_id=content_.account_id,
        content=content_,
        image_type=image_type,
        position=position,
        prompt=f"prompt {next(_seq)}",
        **fields,
    )
    if generated:
        img.status = Images.Status.GENERATED
        img.file.save(f"img_{next(_seq)}.png", ContentFile(png_bytes()), save=False)
        img.width = img.height = 8
    img.save()
    return img


def pipeline(site) -> dict:
    """One row of every pipeline model for `site`, linked the way the pipeline links them."""
    c = cluster(site, keywords_count=1, status=Clusters.Status.MAPPED)
    k = keyword(site, cluster=c, status=Keywords.Status.MAPPED)
    i = idea(site, c, status=ContentIdeas.Status.QUEUED)
    t = task(site, i, cluster=c, status=Tasks.Status.COMPLETED)
    ct = content(site, task_=t, cluster=c)
    im = image(ct)
    return {"keyword": k, "cluster": c, "idea": i, "task": t, "content": ct, "image": im}

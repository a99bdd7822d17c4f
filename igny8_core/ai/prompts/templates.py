"""The four prompt templates. Bump `version` whenever a text or schema changes: the
version is written to every AIRequestLog row, so answers can be traced to their prompt."""

from . import schemas
from .base import PromptTemplate

_SYSTEM = (
    "You are the SEO content strategist and writer of the website {site_name} ({domain}), "
    "which is about {topic}. Write in {language}; tone: {tone}.{brief} "
    "Answer with one JSON object that matches the given JSON schema, and nothing else."
)

KEYWORD_CLUSTERS = PromptTemplate(
    name="keyword_clusters",
    version="v2",
    system=_SYSTEM,
    instructions=(
        "Group the keywords below into topical clusters: keywords that one article could rank for "
        "belong together. Give every cluster a short, specific name (2-5 words, no quotes) and a "
        "one-sentence description. Put every keyword id in exactly one cluster. When a group fits "
        "one of the site's existing clusters (existing_clusters in the input), use exactly that name."
    ),
    schema=schemas.KEYWORD_CLUSTERS,
)

CONTENT_IDEAS = PromptTemplate(
    name="content_ideas",
    version="v2",
    system=_SYSTEM,
    instructions=(
        "Propose {count} distinct article ideas for the keyword cluster below, each for a different "
        "search intent (never two articles competing for the same query). Each idea has a "
        "compelling title, a two-sentence description of the angle, a content_type and a "
        "content_structure, the target keywords of the cluster it should rank for (the primary "
        "keyword first), and an outline: 4-7 sections (heading, level 2 for a section or 3 for a "
        "subsection of the section before it, and the 2-4 points the section covers) and 3-5 "
        "questions readers ask that an FAQ at the end answers."
    ),
    schema=schemas.CONTENT_IDEAS,
)

ARTICLE = PromptTemplate(
    name="article",
    version="v2",
    system=_SYSTEM,
    instructions=(
        "Write the complete article described below, about {target_words} words, from its outline: "
        "the outline's sections in order, as <h2> (level 2) and <h3> (level 3) headings, each "
        "covering its points. html_content is the article body in HTML: an introduction paragraph "
        "that uses the primary keyword (the first of keywords), the outline's sections, at least "
        "one <ul> or <ol> list, and a conclusion; without the FAQ. Use only p, h2, h3, h4, ul, ol, "
        "li, strong, em, blockquote, table tags; no <h1>, no links, no scripts, no inline styles. "
        "faq answers each of the outline's questions in 2-4 sentences (empty when it has none). "
        "meta_title is at most 60 characters and contains the primary keyword; meta_description is "
        "120-155 characters and makes the searcher want to click."
    ),
    schema=schemas.ARTICLE,
)

IMAGE_PROMPTS = PromptTemplate(
    name="image_prompts",
    version="v2",
    system=_SYSTEM,
    instructions=(
        "Write image-generation prompts for the article below: one featured (hero) image for the "
        "whole article and exactly {count} in-article images, one for each listed section in order. "
        "Describe concrete scenes, style and composition; no text in the images. alt_text is a "
        "short accessible description (at most 125 characters)."
    ),
    schema=schemas.IMAGE_PROMPTS,
)

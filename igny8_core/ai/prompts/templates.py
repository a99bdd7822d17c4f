"""The four prompt templates. Bump `version` whenever a text or schema changes: the
version is written to every AIRequestLog row, so answers can be traced to their prompt."""

from . import PromptTemplate, schemas

_SYSTEM = (
    "You are the SEO content strategist and writer of the website {site_name} ({domain}), "
    "which is about {topic}. Write in {language}; tone: {tone}. "
    "Answer with one JSON object that matches the given JSON schema, and nothing else."
)

KEYWORD_CLUSTERS = PromptTemplate(
    name="keyword_clusters",
    version="v1",
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
    version="v1",
    system=_SYSTEM,
    instructions=(
        "Propose {count} distinct article ideas for the keyword cluster below. Each idea has a "
        "compelling title, a two-sentence description of the angle, a content_type and a "
        "content_structure, and the target keywords of the cluster it should rank for."
    ),
    schema=schemas.CONTENT_IDEAS,
)

ARTICLE = PromptTemplate(
    name="article",
    version="v1",
    system=_SYSTEM,
    instructions=(
        "Write the complete article described below, about {target_words} words. html_content is "
        "the article body in HTML: an introduction paragraph, several <h2> sections with <h3> "
        "subsections, at least one <ul> or <ol> list, and a conclusion. Use only p, h2, h3, h4, ul, "
        "ol, li, strong, em, blockquote, table tags; no <h1>, no scripts, no inline styles. "
        "meta_title is at most 60 characters, meta_description at most 155 characters."
    ),
    schema=schemas.ARTICLE,
)

IMAGE_PROMPTS = PromptTemplate(
    name="image_prompts",
    version="v1",
    system=_SYSTEM,
    instructions=(
        "Write image-generation prompts for the article below: one featured (hero) image for the "
        "whole article and exactly {count} in-article images, one for each listed section in order. "
        "Describe concrete scenes, style and composition; no text in the images. alt_text is a "
        "short accessible description (at most 125 characters)."
    ),
    schema=schemas.IMAGE_PROMPTS,
)

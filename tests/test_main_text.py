"""The generic main-text classifier, one small hand-written page per signal.

Parameters are read from rules/generic/main-text.toml (favor tables merged over the base keys),
so the TOML and the code cannot drift apart.
"""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

import pytest

from clean_articles import main_text
from clean_articles.document import Document
from clean_articles.main_text import SCHEMA
from clean_articles.main_text.features import BAD, SHORT, Line, Reader
from clean_articles.text import LEXICON, stopwords

PARAMS = {name: spec.type for name, spec in SCHEMA.items()}

RULE_FILE = Path(__file__).resolve().parents[1] / "rules" / "generic" / "main-text.toml"


def _rule() -> dict:
    return tomllib.loads(RULE_FILE.read_text(encoding="utf-8"))["rule"][0]


def classify(lines: list[str], removed: list[bool], p: dict) -> list[tuple[int, int, str]]:
    """main_text.classify on a page of these lines."""
    return main_text.classify(Document(list(lines), ["\n"] * len(lines)), removed, p)


def params(favor: str | None = None) -> dict:
    rule = _rule()
    p = {name: rule[name] for name in PARAMS}
    if favor:
        p.update(rule["favor"][favor])
    return p


def run(text: str, favor: str | None = None, removed=None):
    """Classify a page; return (kept lines stripped, {line index: reason})."""
    lines = text.split("\n")
    flags = removed or [False] * len(lines)
    reasons = {}
    for start, end, why in classify(lines, flags, params(favor)):
        assert 0 <= start < end <= len(lines)
        for i in range(start, end):
            reasons[i] = why
    kept = [ln.strip() for i, ln in enumerate(lines) if ln.strip() and i not in reasons and not flags[i]]
    return kept, reasons


def removed_texts(text: str, reasons: dict) -> list[str]:
    lines = text.split("\n")
    return [lines[i].strip() for i in sorted(reasons) if lines[i].strip()]


ARTICLE = [
    "The city council voted on Tuesday to close the old harbour bridge to cars from next spring, after engineers warned that its steel frame had weakened faster than expected.",
    "The decision follows two years of debate in which residents, shop owners and commuters argued over whether the bridge could be repaired or should be replaced altogether.",
    "According to the report, repairs would cost about a third of a new bridge but would only keep the structure safe for another fifteen years at most.",
    "Buses and bicycles will still be allowed to use the bridge, and the council said it would add more ferry trips in the morning and in the evening.",
    "A final decision on the new bridge is expected in the autumn, when the council will also vote on how to pay for it.",
]
HEADLINE = "Council votes to close harbour bridge to cars"


def page(*parts: list[str] | str) -> str:
    out: list[str] = []
    for part in parts:
        out.extend([part] if isinstance(part, str) else part)
    return "\n".join(out)


def body() -> list[str]:
    out = []
    for para in ARTICLE:
        out += [para, ""]
    return out


# ---------------------------------------------------------------------------------------------
# The contract


def test_params_match_toml():
    rule = _rule()
    for name, typ in PARAMS.items():
        assert name in rule, f"{name} missing from {RULE_FILE.name}"
        assert isinstance(rule[name], typ), f"{name} should be {typ.__name__}"
    for favor in ("precision", "recall"):
        for name, value in rule["favor"][favor].items():
            assert name in PARAMS, f"favor.{favor}.{name} is not a parameter"
            assert isinstance(value, PARAMS[name])
    extra = set(rule) - set(PARAMS) - {"id", "kind", "why", "favor", "example"}
    assert not extra, f"unknown keys in the rule: {extra}"


def test_toml_examples():
    rule = _rule()
    examples = rule["example"]
    assert any("clean" in ex for ex in examples) and any(ex.get("keep") for ex in examples)

    def norm(text: str) -> str:
        out: list[str] = []
        for ln in text.split("\n"):
            ln = ln.rstrip()
            if ln or (out and out[-1]):
                out.append(ln)
        return "\n".join(out).strip("\n")

    for ex in examples:
        lines = ex["raw"].split("\n")
        gone = set()
        for start, end, _ in classify(lines, [False] * len(lines), params()):
            gone.update(range(start, end))
        got = norm("\n".join(ln for i, ln in enumerate(lines) if i not in gone))
        assert got == norm(ex["raw"] if ex.get("keep") else ex["clean"])


def test_ranges_are_sorted_and_reasons_short():
    text = page(
        ["  • Home", "  • World", "  • Sports", ""],
        HEADLINE,
        "",
        body(),
        "Related",
        "  • Bridge closure angers drivers",
        "  • Ferry timetable changes",
    )
    lines = text.split("\n")
    ranges = classify(lines, [False] * len(lines), params())
    assert ranges == sorted(ranges)
    for (a, b, why), nxt in zip(ranges, ranges[1:] + [(len(lines) + 1, 0, "")]):
        assert a < b <= nxt[0]
        assert 0 < len(why) <= 40


def test_empty_and_blank_pages():
    assert classify([], [], params()) == []
    assert classify(["", "   ", ""], [False] * 3, params()) == []


# ---------------------------------------------------------------------------------------------
# One signal each


def test_menu_is_removed():
    menu = ["  • Home", "  • World", "      □ Europe", "      □ Asia", "  • Business", "  • Sports", ""]
    text = page(menu, HEADLINE, "", body())
    kept, reasons = run(text)
    assert kept == [HEADLINE] + ARTICLE
    assert set(removed_texts(text, reasons)) == {ln.strip() for ln in menu if ln.strip()}
    assert set(reasons.values()) == {"menu item"}


def test_link_list_after_the_article_is_removed():
    links = [
        "Most Read",
        "",
        "Ferry Operators Warn Of Winter Strikes",
        "New Harbour Museum Opens Its Doors",
        "Mayor Faces Questions Over Budget Overrun",
        "Local Football Club Signs Young Striker",
        "Weather Service Issues Storm Warning",
    ]
    text = page(HEADLINE, "", body(), links)
    kept, reasons = run(text)
    assert kept == [HEADLINE] + ARTICLE
    assert set(reasons.values()) <= {"tail: after the main text", "link list"}
    assert "link list" in reasons.values()


def test_link_list_inside_the_span_is_removed():
    links = [
        "  • Bridge Closure: What Drivers Need To Know",
        "  • Ferry Timetable For The Winter",
        "  • Harbour Museum Opening Hours",
        "  • Council Budget Explained",
    ]
    paras = body()
    text = page(HEADLINE, "", paras[:4], links, "", paras[4:])
    kept, reasons = run(text)
    assert kept == [HEADLINE] + ARTICLE
    assert {reasons[i] for i in reasons} <= {"link list", "menu item"}


def test_dates_and_counters_are_removed():
    text = page(HEADLINE, "", "November 19, 2019 11:03 PM", "", "12 comments", "", body())
    kept, reasons = run(text)
    assert kept == [HEADLINE] + ARTICLE
    assert "November 19, 2019 11:03 PM" in removed_texts(text, reasons)


def test_a_measure_is_no_date():
    # "16-inch" and "5-year" are measures, not numbers: a subheading with them is no date line,
    # so it neither goes nor cuts the article's first paragraph off as a standfirst
    sub = "16-inches instead of 15.4"
    paras = body()
    text = page(HEADLINE, "", "November 19, 2019 11:03 PM", "", paras[:2], sub, "", paras[2:])
    kept, reasons = run(text)
    assert kept == [HEADLINE] + ARTICLE[:1] + [sub] + ARTICLE[1:]
    assert "November 19, 2019 11:03 PM" in removed_texts(text, reasons)
    assert (
        "3 of 12 photos, 10:30am, 19th" not in run(page(HEADLINE, "", "3 of 12 photos, 10:30am, 19th", "", body()))[0]
    )


def test_teaser_run_is_removed():
    teasers = []
    for title, teaser in [
        ("Ferry operators warn of winter strikes", "Unions say talks with the operators have broken down over pay."),
        ("New harbour museum opens its doors", "The museum tells the story of the port over three centuries."),
        ("Mayor faces questions over budget", "Opposition members want an inquiry into the cost of the new hall."),
        ("Storm warning for the coast", "Forecasters expect gusts of up to a hundred kilometres an hour."),
    ]:
        teasers += [title, "Tuesday November 19, 2019", teaser, ""]
    text = page(HEADLINE, "", body(), "More from the city", "", teasers)
    kept, reasons = run(text)
    assert kept == [HEADLINE] + ARTICLE


def test_teaser_run_is_recognised_without_dates():
    """Title + one-sentence teaser, five times, right after the article: the teasers are prose
    but must not extend the article."""
    teasers = []
    for title, teaser in [
        (
            "Ferry operators warn of winter strikes",
            "Unions say that the talks with the operators have broken down over pay.",
        ),
        ("New harbour museum opens its doors", "The museum tells the story of the port over three centuries of trade."),
        ("Mayor faces questions over the budget", "Opposition members want an inquiry into the cost of the new hall."),
        (
            "Storm warning for the coast tonight",
            "Forecasters expect gusts of up to a hundred kilometres an hour tonight.",
        ),
        ("School holidays are moved in spring", "Parents were told of the change in a letter sent home on Monday."),
    ]:
        teasers += [title, teaser, ""]
    text = page(HEADLINE, "", body(), teasers)
    kept, reasons = run(text)
    assert kept == [HEADLINE] + ARTICLE
    assert "teaser run" in reasons.values()


def test_short_subheading_inside_the_article_survives():
    paras = body()
    sub = "What happens next"
    quote = "“It is a sad day,” she said."
    text = page(HEADLINE, "", paras[:4], sub, "", paras[4:6], quote, "", paras[6:])
    kept, _ = run(text)
    assert kept == [HEADLINE] + ARTICLE[:2] + [sub] + ARTICLE[2:3] + [quote] + ARTICLE[3:]


def test_headline_is_kept_before_byline_and_date():
    head = [
        "  • Home",
        "  • World",
        "",
        "Breaking News",
        "",
        HEADLINE,
        "",
        "By Jane Doe",
        "November 19, 2019",
        "",
        "Image: city archive",
        "",
    ]
    text = page(head, body())
    kept, reasons = run(text)
    assert kept[0] == HEADLINE
    assert kept[1:] == ARTICLE
    lines = text.split("\n")
    assert lines.index("By Jane Doe") in reasons
    assert reasons[lines.index("November 19, 2019")] == "date/counter line"


def test_headline_printed_elsewhere_wins():
    head = ["Home > City > " + HEADLINE, "", HEADLINE, "", "Share this story with friends now", ""]
    text = page(head, body())
    kept, _ = run(text)
    assert kept == [HEADLINE] + ARTICLE


def test_all_article_page_is_untouched():
    text = page(body())
    kept, reasons = run(text)
    assert reasons == {}
    assert kept == ARTICLE


def test_page_without_prose_is_left_alone():
    text = page(["  • Home", "  • World", "  • Sports", "Contact", "About us"])
    _, reasons = run(text)
    assert reasons == {}


def test_lines_removed_earlier_are_absent():
    banner = (
        "We use cookies to improve your experience on our site and to show you personalised "
        "content, and by continuing to browse you agree to our use of cookies."
    )
    lines = ["  • Home", banner, "  • World", ""] + [HEADLINE, ""] + body()
    flags = [False] * len(lines)
    flags[1] = True  # a phrase rule took the cookie banner
    out = classify(lines, flags, params())
    gone = {i for a, b, _ in out for i in range(a, b)}
    assert 1 not in gone, "a line removed earlier must not be returned"
    assert {0, 2} <= gone
    kept = [ln for i, ln in enumerate(lines) if ln.strip() and not flags[i] and i not in gone]
    assert kept == [HEADLINE] + ARTICLE
    # the banner alone is not an article: with it removed, a page of menus keeps everything
    lines = [banner, "  • Home", "  • World"]
    assert classify(lines, [True, False, False], params()) == []


def test_caption_beside_a_removed_credit_goes():
    paras = body()
    caption = "A cyclist crosses the old harbour bridge on Tuesday morning."
    credit = "© Photo: City Archive"
    lines = [HEADLINE, ""] + paras[:4] + [caption, credit, ""] + paras[4:]
    flags = [False] * len(lines)
    flags[lines.index(credit)] = True  # a caption rule took the credit line
    reasons = {i: why for a, b, why in classify(lines, flags, params()) for i in range(a, b)}
    assert reasons.get(lines.index(caption)) == "beside removed chrome"
    kept = [ln for i, ln in enumerate(lines) if ln.strip() and not flags[i] and i not in reasons]
    assert kept == [HEADLINE] + ARTICLE
    # with nothing removed next to it, the same line stays: it reads like a sentence
    flags = [False] * len(lines)
    lines2 = [ln for ln in lines if ln != credit]
    kept, _ = run("\n".join(lines2))
    assert caption in kept


def test_list_announced_with_a_colon_belongs_to_the_article():
    intro = "To keep using the bridge after the spring, cyclists and bus drivers will need to do three things:"
    items = ["  • Register online", "  • Show a pass", "  • Pay the toll"]
    more = ["  • Weather", "  • Sport", "  • Culture"]
    # at the end of the article, and inside it, where items this short look like a link list
    for lines in (
        [HEADLINE, ""] + body() + [intro, ""] + items + ["", "Popular", ""] + more,
        [HEADLINE, ""] + body()[:4] + [intro, ""] + items + [""] + body()[4:],
    ):
        kept, _ = run("\n".join(lines))
        assert kept[kept.index(intro) + 1 : kept.index(intro) + 4] == [x.strip() for x in items]
        assert not set(kept) & {x.strip() for x in more}
    # without the colon, the same short items are a link list
    lines = [HEADLINE, ""] + body()[:4] + [intro[:-1] + ".", ""] + items + [""] + body()[4:]
    kept, _ = run("\n".join(lines))
    assert not set(kept) & {x.strip() for x in items}


def test_sentence_ends_in_an_emoji_or_a_tilde():
    # blogs close sentences with emoji or a playful tilde: still prose, still the article
    last = [
        "We hope to see all of you at the harbour when the new bridge opens next year 🙂",
        "Until then, enjoy the ferry rides and the view of the old town in the fall~",
    ]
    lines = [HEADLINE, ""] + body() + [last[0], "", last[1], "", "  • Home", "  • Contact", "  • Sitemap"]
    kept, _ = run("\n".join(lines))
    assert kept == [HEADLINE] + ARTICLE + last


def test_long_caption_above_its_credit_goes_but_text_below_a_teaser_stays():
    long = (
        "Sheikh Mohammed, the vice president and prime minister, walks past a new passenger "
        "aircraft operated by the national carrier during the opening day of the air show at "
        "the World Central airport in the south of the city on Sunday, November 17, 2019."
    )
    assert 30 < len(long.split()) <= 60
    credit, teaser = "Natalie Naccache | Bloomberg | Getty Images", "Senior Leader Killed in Raid"
    lines = [HEADLINE, ""] + body()[:4] + [long, credit, ""] + body()[4:]
    flags = [ln == credit for ln in lines]
    kept, _ = run("\n".join(lines), removed=flags)
    assert kept == [HEADLINE] + ARTICLE
    # the same words right under a removed teaser (w3m glued them into one block) are text
    lines = [HEADLINE, ""] + body()[:4] + [teaser, long, ""] + body()[4:]
    flags = [ln == teaser for ln in lines]
    kept, _ = run("\n".join(lines), removed=flags)
    assert long in kept


def test_short_closing_sentences_stay_with_the_article():
    # too short to hold the span on their own, but nothing separates them from the article
    close = ["Link to the booking page – https://example.com/tickets", "We hope to see you soon! 🙂"]
    menu = ["  • Home", "  • Tickets", "  • Contact"]
    lines = [HEADLINE, ""] + body() + [close[0], "", close[1], ""] + menu
    kept, _ = run("\n".join(lines))
    assert kept == [HEADLINE] + ARTICLE + close
    # after a line an earlier rule removed (share buttons), they are chrome again
    lines = [HEADLINE, ""] + body() + ["Share this", ""] + [close[0], "", close[1], ""] + menu
    kept, _ = run("\n".join(lines), removed=[ln == "Share this" for ln in lines])
    assert kept == [HEADLINE] + ARTICLE


def test_table_inside_the_article_stays_and_does_not_break_it():
    rows = [
        "Line       Trips     Delay     Riders",
        "Ferry 1    48        2 min     5,200",
        "Ferry 2    36        4 min     3,900",
        "Bus 12     120       6 min     9,800",
        "Bus 14     96        3 min     7,400",
        "Tram 3     150       1 min     12,100",
    ]
    lines = [HEADLINE, ""] + body()[:2] + rows + [""] + body()[2:] + ["", "  • Home", "  • Contact", "  • Jobs"]
    kept, _ = run("\n".join(lines))
    assert kept == [HEADLINE, ARTICLE[0]] + rows + ARTICLE[1:]
    # the same rows with cells run together are a block of short lines: a link list
    glued = [" ".join(r.split()) for r in rows]
    lines = [HEADLINE, ""] + body()[:2] + glued + [""] + body()[2:]
    kept, _ = run("\n".join(lines))
    assert not set(kept) & set(glued)


def test_article_told_in_bullet_items_keeps_its_unindented_lead():
    lead = "Below, we go through the snap counts and the stats on defense for the team's game against the visitors on Sunday."
    items = ["  • " + para for para in ARTICLE]
    quote = "    The best player on defense was the captain, who posted an elite grade over the whole of the second half, the analysts said."
    lines = [HEADLINE, "", lead, ""] + items + ["", quote]
    kept, _ = run("\n".join(lines))
    assert kept[:2] == [HEADLINE, lead]


def test_caption_centred_under_a_figure_goes():
    caption = " " * 60 + "The old harbour bridge at dawn"
    subhead = "    What happens next"
    lines = [HEADLINE, ""] + body()[:4] + [caption, ""] + [subhead, ""] + body()[4:]
    kept, reasons = run("\n".join(lines))
    assert kept == [HEADLINE] + ARTICLE[:2] + [subhead.strip()] + ARTICLE[2:]
    assert reasons[lines.index(caption)] == "centred caption"


def test_paragraph_apart_from_a_removed_label_stays():
    # a section rule took a "Read more" label and the blank line under it: the paragraph
    # below is in a block of its own, not stuck to the label
    lines = [HEADLINE, ""] + body()[:4] + ["Read more", ""] + body()[4:]
    flags = [False] * len(lines)
    at = lines.index("Read more")
    flags[at] = flags[at + 1] = True
    kept, reasons = run("\n".join(lines), removed=flags)
    assert kept == [HEADLINE] + ARTICLE, reasons


def test_sentence_broken_after_a_comma_is_kept_at_the_end():
    # w3m prints a <br> inside a paragraph as a line break: the line before it ends in a comma
    tail = ["In the meantime, and for the rest of the year,", "the ferry will run more often."]
    kept, _ = run("\n".join([HEADLINE, ""] + body() + tail))
    assert kept == [HEADLINE] + ARTICLE + tail


def test_indented_prose_at_the_end():
    # w3m indents a sidebar: its teasers after a heading are not the article ...
    teaser = (
        "    The mayor said on Monday that the new tram line would open in the spring, two "
        "years later than the city had planned when the works began."
    )
    lines = [HEADLINE, ""] + body() + ["Popular", "", teaser]
    kept, _ = run("\n".join(lines))
    assert kept == [HEADLINE] + ARTICLE
    # ... but a quote or an embedded post it indents right after the last paragraph is
    quote = (
        "    We will keep the bridge open for buses and bicycles, and we will add ferries in "
        "the morning and in the evening."
    )
    kept, _ = run("\n".join([HEADLINE, ""] + body() + [quote]))
    assert kept == [HEADLINE] + ARTICLE + [quote.strip()]


def test_heading_that_ends_articles_ends_the_span():
    teasers = [
        "The mayor said on Monday that the new tram line would open in the spring, two years later than planned.",
        "Residents of the old town voted against the parking plan, which would have closed three of its squares to cars.",
    ]
    for heading in ("You may also like", "Related stories:", "Você pode gostar..."):
        lines = [HEADLINE, ""] + body() + [heading, ""] + [t + "\n" for t in teasers]
        kept, reasons = run("\n".join(lines))
        assert kept == [HEADLINE] + ARTICLE, heading
        # removed by an earlier rule (a related-list heading), it still ends the span
        flags = [ln == heading for ln in lines]
        kept, _ = run("\n".join(lines), removed=flags)
        assert kept == [HEADLINE] + ARTICLE, heading
    # near the top of the article (an inline box) it ends nothing
    lines = [HEADLINE, ""] + body()[:2] + ["Related stories", ""] + body()[2:]
    kept, _ = run("\n".join(lines))
    assert kept == [HEADLINE] + ARTICLE[:1] + ["Related stories"] + ARTICLE[1:]


def test_heading_followed_by_clipped_teasers_ends_a_short_article():
    # one paragraph of article, then more prose in teasers than article; the teasers are cut
    # short with an ellipsis, which is what gives them away
    teasers = [
        "The mayor said on Monday that the new tram line would open in the spring, two years later than the city had planned when …",
        "Residents of the old town voted against the parking plan, which would have closed three of its squares to cars and...",
        "Faith and hope carry us through every storm, and every new day is a gift that we should receive with gratitude.",
    ]
    lines = [HEADLINE, "", ARTICLE[0], "", "You may also like...", ""] + [t + "\n" for t in teasers]
    kept, _ = run("\n".join(lines))
    assert kept == [HEADLINE, ARTICLE[0]]
    # without the clipped ends, the prose after the heading outweighs the article: kept
    whole = [t.rstrip(" .…") + "." for t in teasers]
    lines = [HEADLINE, "", ARTICLE[0], "", "You may also like...", ""] + [t + "\n" for t in whole]
    kept, _ = run("\n".join(lines))
    assert kept[-3:] == whole


def test_about_a_name_the_page_prints_elsewhere_heads_an_author_box():
    bio = (
        "Jane Doe has covered city politics for the paper since 2009 and lives with her two "
        "children in the old town, where she was born."
    )
    lines = [HEADLINE, "", "By Jane Doe", ""] + body() + ["About Jane Doe", "", bio]
    kept, _ = run("\n".join(lines))
    assert kept == [HEADLINE] + ARTICLE
    # a subheading about something the page does not name elsewhere ends nothing
    last = (
        "Harbour Ferries will run every ten minutes in the morning, and the company said it "
        "would hire twelve more crew before the bridge closes."
    )
    lines = [HEADLINE, ""] + body() + ["About Harbour Ferries", "", last]
    kept, _ = run("\n".join(lines))
    assert kept == [HEADLINE] + ARTICLE + ["About Harbour Ferries", last]


def test_quotes_indented_deeper_than_the_article_around_them_are_no_sidebar():
    # an article that introduces and closes a run of indented reviews: all of it stays
    quotes = [
        "    “The show was really great. We received the tickets at the entrance and enjoyed a free drink at the cafe before the show began.”",
        "    “A gorgeous play with an interesting storytelling style, and the actors were very happy to talk with the audience afterwards.”",
        "    “It was a long play with the texts shown on a screen to explain what is happening, in case the audience fails to follow the dance.”",
    ]
    intro = "Visitors who booked their tickets online came to the theatre to watch the play and have left their reviews of the show."
    outro = "For those of you who have yet to watch the play, tickets for the spring season are on sale from Monday at the box office."
    lines = [HEADLINE, "", intro, ""] + [q + "\n" for q in quotes] + [outro]
    kept, _ = run("\n".join(lines))
    assert kept == [HEADLINE, intro] + [q.strip() for q in quotes] + [outro]
    # prose at one edge only, after a heading, is a sidebar's and still goes
    lines = [HEADLINE, ""] + [q + "\n" for q in quotes] + ["Popular", "", outro]
    kept, _ = run("\n".join(lines))
    assert outro not in kept


def test_author_box_after_removed_chrome_goes_at_the_end_only():
    # share buttons and a related list an earlier rule took, then an author bio in prose
    bio = "Jane Doe joined the paper in March 2017 and has been reporting on transport and city politics since 2009."
    chrome = ["Share", "Tweet", "Related stories"]
    lines = [HEADLINE, ""] + body() + [""] + chrome + ["", bio]
    flags = [False] * len(lines)
    for c in chrome:
        flags[lines.index(c)] = True
    reasons = {i: why for a, b, why in classify(lines, flags, params()) for i in range(a, b)}
    assert reasons.get(lines.index(bio), "").startswith("tail")
    kept = [ln for i, ln in enumerate(lines) if ln.strip() and not flags[i] and i not in reasons]
    assert kept == [HEADLINE] + ARTICLE
    # an advert block near the start of the article is no cut: the article goes on after it
    lines = [HEADLINE, ""] + body()[:1] + [""] + chrome + [""] + body()[1:]
    flags = [False] * len(lines)
    for c in chrome:
        flags[lines.index(c)] = True
    reasons = {i: why for a, b, why in classify(lines, flags, params()) for i in range(a, b)}
    kept = [ln for i, ln in enumerate(lines) if ln.strip() and not flags[i] and i not in reasons]
    assert kept == [HEADLINE] + ARTICLE
    # --favor recall never cuts at removed chrome: the bio stays
    lines = [HEADLINE, ""] + body() + [""] + chrome + ["", bio]
    kept, _ = run("\n".join(lines), favor="recall", removed=[ln in chrome for ln in lines])
    assert bio in kept


# ---------------------------------------------------------------------------------------------
# Other scripts


def test_chinese_page_without_spaces():
    menu = ["  • 首页", "  • 新闻", "  • 体育", "  • 财经", ""]
    title = "城市议会决定明年关闭老港口大桥"
    paras = [
        "市议会周二投票决定，从明年春天起禁止汽车通过老港口大桥，因为工程师警告说大桥的钢结构老化速度比预期更快。",
        "这一决定是在两年的争论之后作出的，居民、店主和通勤者一直在争论这座桥应该修复还是彻底重建。",
        "根据报告，修复费用约为新桥的三分之一，但最多只能让大桥再安全使用十五年。",
        "公交车和自行车仍然可以使用这座桥，市议会表示将在早晚增加更多的渡轮班次。",
    ]
    footer = ["  • 关于我们", "  • 联系我们", "  • 隐私政策", "版权所有 2019"]
    text = page(menu, title, "", "\n\n".join(paras), "", footer)
    kept, _ = run(text)
    assert kept == [title] + paras


def test_japanese_page_keeps_the_article():
    paras = [
        "市議会は火曜日、老朽化が予想より早く進んでいるとの技術者の警告を受けて、来年の春から旧港湾橋への車の乗り入れを禁止することを決めました。",
        "この決定は、住民や商店主、通勤者が橋を修理すべきか建て替えるべきかを二年にわたって議論した末に下されたものです。",
        "報告書によると、修理費用は新しい橋の約三分の一ですが、安全に使えるのは最長でも十五年だということです。",
    ]
    text = page(
        ["  • ホーム", "  • ニュース", "  • スポーツ", ""], "\n\n".join(paras), "", "  • 会社概要", "  • お問い合わせ"
    )
    kept, _ = run(text)
    assert kept == paras


def test_russian_page():
    menu = ["  • Главная", "  • Новости", "  • Спорт", "  • Экономика", ""]
    title = "Городской совет закроет старый мост для машин"
    paras = [
        "Городской совет во вторник проголосовал за то, чтобы с весны закрыть старый мост для автомобилей, после того как инженеры предупредили, что его конструкция ослабла быстрее, чем ожидалось.",
        "Решение было принято после двух лет споров, в которых жители, владельцы магазинов и водители обсуждали, можно ли отремонтировать мост или его нужно заменить.",
        "По данным доклада, ремонт обойдется примерно в треть стоимости нового моста, но позволит безопасно использовать его не более пятнадцати лет.",
        "Автобусы и велосипеды по-прежнему смогут ездить по мосту, а совет обещал добавить утренние и вечерние рейсы паромов.",
    ]
    footer = [
        "Читайте также",
        "  • Новый музей открылся в порту",
        "  • Паромщики грозят забастовкой",
        "© 2019 Городские новости",
    ]
    text = page(menu, title, "", "19 ноября 2019, 11:03", "", "\n\n".join(paras), "", footer)
    kept, reasons = run(text)
    assert kept == [title] + paras


# ---------------------------------------------------------------------------------------------
# Favor, determinism, size


def test_favor_tables_change_only_known_keys_and_still_work():
    text = page(["  • Home", "  • World", ""], HEADLINE, "", body())
    for favor in ("precision", "recall"):
        kept, _ = run(text, favor)
        assert ARTICLE[0] in kept and ARTICLE[-1] in kept


def test_deterministic():
    text = page(["  • Home", "  • World", ""], HEADLINE, "", body(), "Most Read", "  • Other Story Here")
    lines = text.split("\n")
    first = classify(lines, [False] * len(lines), params())
    for _ in range(3):
        assert classify(lines, [False] * len(lines), params()) == first


def test_stopwords_shipped_for_all_languages():
    folder = LEXICON / "stopwords"
    for lang in ("en", "de", "fr", "es", "it", "pt", "nl", "ru", "pl", "sv", "tr", "id"):
        words = (folder / f"{lang}.txt").read_text(encoding="utf-8").split()
        assert len(words) >= 70, lang
        assert all(w == w.lower() for w in words), lang


@pytest.mark.slow
def test_huge_single_line_is_cheap():
    line = "word " * 4_000_000  # 20 MB
    start = time.perf_counter()
    classify([line], [False], params())
    assert time.perf_counter() - start < 2.0


@pytest.mark.slow
@pytest.mark.parametrize("n", [100_000])
def test_many_lines_are_linear(n):
    """No quadratic pass: 100,000 lines take seconds (a quadratic one would take hours)."""
    lines = []
    for i in range(n // 5):
        lines += ["  • Menu item", ARTICLE[i % len(ARTICLE)], "", "12 comments", "Some Title Link Here"]
    start = time.perf_counter()
    out = classify(lines, [False] * len(lines), params())
    assert time.perf_counter() - start < 60.0
    assert all(a < b for a, b, _ in out)


@pytest.mark.slow
def test_many_about_headings_are_linear():
    """40,000 "About <Name>" lines whose names appear nowhere before: seconds (each heading
    searching all earlier lines took minutes)."""
    names = [f"Qa{i:05d} Qb{i:05d}" for i in range(40_000)]
    lines = [ARTICLE[0]] + [f"About {n.title()}" for n in names]
    start = time.perf_counter()
    classify(lines, [False] * len(lines), params())
    assert time.perf_counter() - start < 60.0


def test_a_line_class_depends_on_the_page_language():
    # a capitalised line is a link title where the page's language is known, short text where not
    reader = Reader(params())
    english = next(words for words in stopwords()[1] if {"the", "and", "of"} <= words)
    line = Line(0, reader.read("Markets Rally As Central Bank Holds Rates Steady Again"))
    assert reader.describe((english, False, False), line)[2] == BAD
    assert reader.describe((frozenset(), False, False), line)[2] == SHORT


def test_a_page_read_under_one_set_of_thresholds_is_read_afresh_under_another():
    lines = ARTICLE[:3] + ["Posted on 12 March 2024 at 10:30, 4 photos"] + ARTICLE[3:]
    doc, flags = Document(lines, ["\n"] * len(lines)), [False] * len(lines)
    short = dict(params(), date_max_words=3)
    assert "date/counter line" in {why for *_, why in main_text.classify(doc, flags, params())}
    assert "date/counter line" not in {why for *_, why in main_text.classify(doc, flags, short)}
    assert main_text.classify(doc, flags, params()) == classify(lines, flags, params())

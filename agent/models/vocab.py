"""Word lists the entity resolver reads: channel category synonyms, platform brands, and words never treated as
names. Kept apart from the matching logic so the lists can grow without touching the rules.
"""

from __future__ import annotations

# Category phrase → channel family word. Only generic *category* words: a phrase here maps onto any channel of
# that family the data has ("television" → TV). Platform brands are deliberately absent (see BRANDS).
_FAMILIES: dict[str, tuple[str, ...]] = {
    "search": (
        "search",
        "paid search",
        "sem",
        "ppc",
        "search ads",
        "search engine marketing",
        "search engine",
        "sponsored search",
        "search advertising",
    ),
    "social": ("social", "paid social", "social media", "social ads", "social advertising"),
    "tv": ("tv", "television", "telly", "linear tv", "tv ads", "broadcast tv", "broadcast", "commercials", "tv spots"),
    "ctv": ("ctv", "connected tv", "streaming tv"),
    "radio": ("radio", "radio ads", "radio spots", "radio advertising"),
    "email": ("email", "newsletter", "newsletters", "mailing", "mailings"),
    "display": ("display", "banner", "banners", "display ads"),
    "video": ("video", "online video", "olv", "video ads"),
    "ooh": ("ooh", "outdoor", "billboard", "billboards", "out of home"),
    "print": ("print", "newspaper", "newspapers", "magazine", "magazines", "press"),
    "shopping": ("shopping", "shopping ads", "product listing ads"),
    "influencer": ("influencer", "influencers", "influencer marketing", "creators"),
    "affiliate": ("affiliate", "affiliates", "affiliate marketing"),
    "local": ("local", "local media"),
    "podcast": ("podcast", "podcasts", "podcast ads", "podcast advertising"),
    "cinema": ("cinema", "cinema ads", "cinema advertising", "movie theater", "movie theatre"),
    "sponsorship": ("sponsorship", "sponsorships", "sports sponsorship"),
    "programmatic": ("programmatic", "programmatic display", "programmatic video"),
    "direct mail": ("direct mail", "mailers", "door drops", "leaflets", "flyers"),
    "audio": ("digital audio", "streaming audio"),
    "dooh": ("dooh", "digital out of home", "digital billboards"),
    "retail media": ("retail media",),
    "events": ("trade shows", "experiential"),
    # Not paid search: organic search is its own family (never mapped onto a paid Search channel).
    "seo": ("seo", "organic search"),
    "partnerships": ("partnership", "partnerships", "referral", "referrals"),
}
SYNONYMS: dict[str, str] = {phrase: family for family, words in _FAMILIES.items() for phrase in words}
# One-word category names that are never ordinary words of a question ("search", "display", "print", "local",
# "video" are verbs or adjectives too): when the data has no channel of that family, the word is an unknown name
# ("how is OOH performing?" on data without OOH), not nothing.
DISTINCT_CATEGORIES = frozenset(
    "ooh outdoor ctv billboard billboards newspaper newspapers magazine magazines influencer influencers affiliate "
    "affiliates tv television telly radio sem ppc olv newsletter newsletters banner banners podcast podcasts email "
    "emails cinema sponsorship sponsorships programmatic mailers leaflets flyers dooh experiential seo partnership "
    "partnerships referral referrals".split()
)

# Platform brands: a brand names a channel only when the data has a channel of that name. "TikTok" on data
# without TikTok is unknown — never Social.
BRANDS = frozenset(
    "tiktok facebook instagram meta youtube google bing snapchat snap pinterest linkedin twitter reddit amazon "
    "spotify netflix hulu roku yahoo taboola outbrain criteo whatsapp microsoft apple pandora iheart iheartradio "
    "twitch discord quora yelp tubi peacock disney hbo paramount trade desk dv360 baidu yandex naver".split()
)

# Tokens too generic to identify a channel on their own ("Ads" in "Meta Ads").
GENERIC_TOKENS = frozenset(
    "ads ad spend spending media paid online digital marketing campaign campaigns channel channels the and of "
    "brand generic total cost costs index level".split()
)

# Ordinary words of these questions, never read as names (and never spell-corrected into one).
COMMON = frozenset(
    """
    roi roas mroi return returns spend spent spending sales revenue budget budgets model models spec specs fit fits
    what which when where how much many does did the and that this than then them they their there these those
    with from into onto over under more less most least best worst better worse each every total media channel
    channels compare versus month months week weeks year years quarter quarters data dataset report health trust
    move shift reallocate transfer double halve pause stop cut increase decrease reduce raise boost keep flat
    next last first second since until between during about after before show give tell list rank ranking
    contribution contributions effect effects impact curve curves saturation baseline share percent ratio ratios
    point points paint prize pride price prices loyal vocal shipping still total totals overall marginal average
    mean median incremental true real actual estimated current blended expected high higher low lower good bad
    some other others same only also just like please could would should will shall might must need want think
    work works working performing perform performance paying pays pay payback worth profitable efficient
    effective driver drivers drive drives driving came come comes coming went goes going make made doing done
    have has had been being were was are is it its our ours your yours his her hers my mine we you i me us
    all any both either neither none nothing something anything everything per via through across
    region regions market markets geo geos geography geographies state states country national area areas
    product products metric metrics control controls variable variables kpi kpis value values number numbers
    trend trends season seasonal weekly monthly yearly quarterly daily date dates period periods time times
    range sum average split mix plan plans scenario scenarios optimize optimise allocate allocation what's
    it's that's ok okay yes no not dont don't doesn't didn't isn't aren't wasn't weren't vs or by for at in on
    to of a an as be if so up down out off new old big small large again also really very too still ever never
    investment investments lowest highest biggest smallest largest greatest strongest weakest top bottom
    response responses organic dollar dollars euro euros pound pounds money cash sale customers customer
    base underlying organic paid everyone everybody anyone anybody someone somebody
    maximise maximize maximising maximizing minimise minimize improve achieve reach boost grow
    teh hte waht wat whats thats ths yr pls plz thx thanks hey hi hello
    diminishing increasing decreasing falling rising growing saturating saturated advertising advert adverts ads
    working returning paying performing spending running doing keep keeping money worth value versus compared
    cuts cutting boost boosted boosting reduced reducing raised raising doubled doubling halved halving paused
    pausing stopped stopping trimmed trimming slashed slashing dropped dropping lowered lowering increased
    decreased turned turning switched switching pulled pulling moving shifting adding removing taking minus
    negative
    """.split()
)

# Places written in lower case ("ROI of TV in the midwest"): after "in"/"for"/"across" they name a geography, which
# the data may lack. Capitalised places are read by the slot for capitalised words; "us" is never a place here.
REGION_WORDS = frozenset(
    "midwest northeast northwest southeast southwest north south east west central emea apac latam nordics "
    "europe asia americas africa usa uk germany france spain italy canada mexico brazil india china japan "
    "australia texas california florida london paris berlin".split()
)

# Words of time expressions (read by agent.models.when), never names.
TIME_WORDS = frozenset(
    """
    january february march april may june july august september october november december jan feb mar apr jun
    jul aug sep sept oct nov dec q1 q2 q3 q4 h1 h2 fy ytd mtd qtd today yesterday ago recent recently latest
    previous prior this last past since from until till through week weeks month months quarter quarters year
    years half fiscal calendar spring summer autumn fall winter holiday holidays christmas xmas easter thanksgiving
    monday tuesday wednesday thursday friday saturday sunday weekend weekends
    """.split()
)

"""Does a message the user sent expect a reply? Pure: rules first, then a small model for what they leave.

Input is the message's new text (assistant/message/ has already removed quoted text and the signature). The
text expects a reply when one of its sentences asks the reader a question, asks the reader to do
something (conditional requests included: "if you have questions, please call me"), or proposes something
for the reader to accept ("we would like to move the meeting to 2 p.m."). Before the detectors run, URLs,
e-mail addresses and quoted phrases are neutralised (a "?" in a query string or in a quotation is not the
writer's question), and sentences that ask nothing of this reader are skipped: a bare FYI or an attachment
handed over ("please find attached"), an apology or correction, rhetorical questions, and - softly, see
below - marketing, a company's "contact us if you have questions", notices ("please note"). "No need to
reply" anywhere wins over everything; thanks and acknowledgements alone never expect a reply.

Rules only, each a sentence's mood and addressee: a question form addressed to the reader, a verb-first
imperative, "you" as the subject with a modal ("you should", "you might want to"), "let me know", an indirect
request ("I'd like you to meet", "I'd like to invite you", "my recommendation would be to"), a proposal. A
small word n-gram model once read what the rules left; it learned that dates and meeting words mean a request
and was right only 23 times in 60 on unseen mail, so it was dropped (issue 11).

The writer's own commitments ("I'll send it by Friday") are not requests: the promises stage
(analysis/promises.py) finds and tracks them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.analysis.cues import Gated, Searcher, cue
from assistant.analysis.sentences import sentences, unwrap

QUOTE_CAP = 80  # characters of the triggering sentence quoted in a reason
TEXT_CAP = 5_000  # characters examined; a request worth following up is not buried deeper


@dataclass(frozen=True)
class Intent:
    expects_reply: bool
    reason: str


def _rx(*alternatives: str) -> re.Pattern[str]:
    """One case-insensitive pattern from alternatives that each start at a word start.

    Saying so up front, in a lookbehind, makes the long alternations about twice as fast.
    """
    return re.compile(r"(?<![\w'])(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def _gated(*alternatives: str) -> Gated:
    """As _rx, behind a cue of the words it cannot match without: most sentences hold none, and are let go
    after one quick look instead of a try of every alternative at every position."""
    return Gated(_rx(*alternatives))


# --- cleaning ---------------------------------------------------------------------------------------------

_URL = _rx(r"(?:https?://|ftp://|www\.|mailto:)\S+", r"\$LINK", r"<[^<>\s]+[/@][^<>\s]*>",
           r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_URL_CUE = cue(_URL)
_SPACE = re.compile(r"\s+")


def _sentences(text: str) -> list[str]:
    """The sentences of `text`, URLs and addresses made neutral and quoted phrases masked: their '?' is not
    the writer's question."""
    cleaned = text[:TEXT_CAP]
    if _URL_CUE is None or _URL_CUE(cleaned):  # most texts hold no "@", "<", "www." or "://": nothing to replace
        cleaned = _URL.sub(" LINK ", cleaned)
    return [s for s in (_SPACE.sub(" ", x.masked).strip() for x in sentences(unwrap(cleaned))) if s]


def _quote(sentence: str) -> str:
    return f'"{sentence}"' if len(sentence) <= QUOTE_CAP else f'"{sentence[:QUOTE_CAP - 1].rstrip()}…"'


# --- sentences that ask nothing of this reader --------------------------------------------------------------

_MARKETING = _gated(
    r"\b(click|tap|press) (here|below|above|the (link|button)|this link|on (the|this) link)",
    r"\bclicking here\b",
    r"\b(act|call|order|shop|buy|join|register|subscribe|sign up|apply|search|start|download|book|hurry|"
    r"save|enroll|claim|go here|try it|launch|confirm|try|get|view|watch|install|play|upgrade|activate|"
    r"renew|reserve|learn more) now\b",
    r"\bif you (would|'d|wish|want|prefer|would prefer|would still) (like )?(to )?(no longer|stop|turn|"
    r"cancel|receive|download|shop|donate|change|update|manage|unsubscribe|be (removed|taken))\b",
    r"\bunsubscribe\b", r"\bopt[- ]?(out|in)\b", r"\b(stop|no longer|not) (to )?receiv",
    r"\bfuture mailings\b",
    r"\b(address book|safe[- ]?senders?|white ?list|safe list|contacts list|spam folder)\b",
    r"\badd (us|[\w.]+@[\w.]+) to your\b", r"\b(reply|text) (with )?stop\b",
    r"\bto (ensure|make sure) (that )?(you|our|future|delivery|your e-?mails?)\b",
    r"\b(view|open) (this|the) (e-?mail|message|newsletter) in\b",
    r"\bthis (message|e-?mail|receipt|notification) (was|is) (sent|generated)", r"\bnotifications?\b",
    r"\b(update|change|manage) your (e-?mail |subscription |notification |account )?(preferences|settings|"
    r"profile|subscription)\b",
    r"\b(simply|just|please) ignore this\b", r"\b(log|sign) ?(in|on|up) (to|into|at|with)\b",
    r"\b(activate|verify|confirm) your (account|subscription|e-?mail|registration)\b",
    r"\blimited time\b", r"\bfree (trial|shipping|download|gift|delivery)\b", r"\b(coupon|promo) code\b",
    r"\bdon'?t miss (out|this)\b", r"\bwhile supplies last\b", r"\bsave (up to )?\d", r"\b\d+% off\b",
    r"\b(earn|make|save|win) \$",
    r"\bdo you want to (earn|make|lose|save|win|help people|make a difference)\b",
    r"\b(help center|support (page|forum|team|department)|customer (service|support)|faq|app ?store|"
    r"google play|itunes)\b",
    r"\b(rate|review) (us|the app|this app|our app)\b", r"\b(rate|review) it (in|on) the\b",
    r"\b(retweet|follow me|like us|share this)\b",
    r"\bvisit (our|the link|the page|the site|us|my account|your (profile|account)|below|here|LINK|\S+\.com)",
    r"\bfollow (the|this) (link|instructions)", r"\bpress the\b", r"\b(complete|fill out) the form\b",
    r"\bre-?apply\b", r"\b(comments?|votes?) LINK",
)

# Help offered by a company ("if you have any questions, contact us"); a person's own offer is a request.
_COMPANY_OFFER = _gated(
    r"^(?=.*(\bif\b|\bshould you\b|\bfor (any|more|additional|further)\b|\bin case\b|\bdon'?t hesitate|"
    r"\bfeel free)).*(\b(contact|e-?mail|call|write( to)?|reach( out to)?|message|ask|text|visit|reply to|"
    r"get in touch with|hear from) (us|our)\b|\b(we'?re|we are|we'?d be|we will be|we'll be) (happy|glad) to|"
    r"\bwe'?d love to hear\b)",
)

# Handing something over: in mail the user sent, attaching a document is not asking for an answer.
_FYI = _gated(
    r"^\W*fyi\b", r"\bfor your information\b",
    r"\bplease (find|see) (attached|enclosed|the attached)\b", r"\b(attached|enclosed),? please find\b",
    r"\bplease find (\w+ ){1,4}(attached|enclosed)\b",
)
_APOLOGY = _gated(r"\bplease (disregard|ignore|excuse|forgive|accept (my|our)( sincere)? apolog|bear with)")
# Notices phrased as requests ("please note", "please keep in mind"): the labelled mail often counts them as
# asking the reader to act, so the rules skip them but the model may read one as a request.
_NOTICE = _gated(
    r"\bplease (note|be (advised|aware|informed)|see below|find (below|my|the|our)|keep in mind|"
    r"remember that)\b",
    r"\bbelow,? please find\b", r"\bfor your (records|reference|review|files)\b",
)

_RHETORICAL = _gated(
    r"^(so |but )?(why not|who (doesn'?t|wouldn'?t|knew)|what'?s not to (love|like)|guess what|"
    r"how cool is that|isn'?t (it|that) (great|amazing)|wouldn'?t it be (nice|great))\b",
    r"\b(can|could) you (believe|imagine)\b", r"\bdid you know\b", r"\bis it your dream\b",
    r"\b(didn'?t|don'?t|doesn'?t|isn'?t|aren'?t|wasn'?t|won'?t|haven'?t|right) "
    r"(it|you|he|she|they|we|i|that)\?",  # tag questions
    r"\bhow (do|can|would) you (stand out|make|splurge|spend)\b", r"^\W*(ready|looking) for (more|a|the)\b",
    r"^\W*(already|still) have\b", r"\bwhat do i get\b", r"\(sp\?\)",
    r"^\W*(what|huh|really|seriously|why)\W*$",
    r"^\W*talk (to|with) you\b",  # "Talk to you tomorrow." is a sign-off
)

_NO_REPLY = _gated(
    r"\bno (need|reason) (for you )?to (reply|respond|answer|write back|get back)",
    r"\bno (reply|response|answer|action) (is )?(needed|necessary|required|expected)",
    r"\b(don'?t|do not) (bother )?(replying|reply|respond|responding|write back|get back to me)\b",
    r"\bnothing (needed|required) from you\b", r"\bno action (needed|required) on your (part|end)\b",
    r"\bjust (so you know|for your information)\b",
)

# --- questions ----------------------------------------------------------------------------------------------

_QUESTION_MARK = re.compile(r"\?(?=[\s\"')\]]*$|\s+|[!.]+)")
# An address ("Chris,") or a connective before the clause that matters.
_LEAD = (r"^(?:[^,:;?]{1,30}[,:]\s+|(?:also|and|but|so|ok(?:ay)?|then|now|hey|hi|sorry|just|quick question|"
         r"one more thing|by the way|btw|anyway|otherwise|in addition|finally|first|second)[,:]?\s+)?")
_INTERROGATIVE = _rx(  # question word order without the "?" ("Could you send me the file.")
    _LEAD + r"(?:(?:could|can|would|will|won'?t|wouldn'?t|couldn'?t|shall|should|may|might|must)\s+(?:you|u|"
    r"we|i|someone|somebody|anyone|anybody|one of you|y'?all)"
    r"|(?:do|did|does|have|has|are|is|were|any chance|any news|any word|any thoughts|any ideas|any update|"
    r"anything)\s+(?:you|u|we|they|there|anyone|anybody|someone|everyone|on|from|about|yet|else)"
    r"|(?:what|when|where|which|who|whom|whose|why|how)\s+(?:is|are|was|were|do|does|did|can|could|would|"
    r"will|should|shall|have|has|about|much|many|long|soon|often|else|time|day|date)"
    r"|(?:you|u) (?:available|free|around|interested|want to|wanna|up for|coming|going|ok with)"
    r"|(?:want|wanna|interested|available|possible|free|up for)\b(?= to| for| in| on|\W*$))\b",
)
_INDIRECT = _gated(
    r"\b(i|we) (was|am|were|are|'m|'re) (just |also |still )?(wondering|curious)\b",
    r"^\W*(just )?wondering\b",
    r"\bi'm (just |also |still )?(wondering|curious)\b", r"\bi wonder (if|whether)\b",
    r"\b\w+ (also )?(need|want|would like|'d like|wants?|needs?) to know\b", r"^\W*need to know\b",
    r"\bi (also |just )?(wanted|want) to (know|ask|see if|check (if|whether|with you)|find out|confirm (if|"
    r"whether|that|with you)|follow[- ]up|touch base|inquire|request)\b",
    r"\bi (have|had) a (quick )?question\b", r"\bi am writing to (ask|request|inquire)\b",
)


def asks_question(sentence: str) -> str | None:
    if _QUESTION_MARK.search(sentence) or _INTERROGATIVE.search(sentence) or _INDIRECT.search(sentence):
        return f"asks a question: {_quote(sentence)}"
    return None


# --- requests -----------------------------------------------------------------------------------------------

_REQUEST = _gated(
    r"(?<!to )(?<!sure )\b(please|pls|plz|kindly)\b(?!d)",  # not "sure to please", "pleased"
    r"(?<!to )(?<!'ll )(?<!will )\blet (me|us) know\b", r"^\W*(please |pls )?let \w+ know\b",
    r"\bget back to (me|us)\b", r"\bany (news|updates?)\b", r"\b(send|give|provide) (me|us) an update\b",
    r"\b(give|drop|send|shoot) (me|us) (a |an )?(call|ring|buzz|holler|line|note|shout|email|e-mail|text|"
    r"heads up)\b",
    r"(?<!did )(?<!you )(?<!can )\b(call|ring|text|email|e-mail|contact|ping|page|phone|tell|ask|remind) "
    r"(me|us)\b(?! (?-i:[A-Z]))",  # not "you can call me Jane"
    r"\b(i|we)('d| would) (really |greatly |very much )?(appreciate|be grateful|welcome)\b",
    r"\b(would be|is) (much |greatly |very much )?appreciated\b",
    r"\bany (help|thoughts|ideas|comments|input|feedback)\b.*\b(appreciat|welcome|helpful)",
    r"\b(i|we)('d| would) (like|love|want) (you|your)\b", r"\b(i|we) (need|want) (you|your)\b",
    r"\bi need (this|that|it|these|what|the|an answer|more)\b", r"\bneed (your|an answer|a response)\b",
    r"\bi (would|'d) (like|love) (a|an|to have|to get) (your|a quick|some)\b",
    r"\blooking forward to (hearing|your (reply|response|answer|thoughts|comments|feedback))",
    r"\blook forward to (hearing from you (soon|tomorrow|shortly|by)|your (reply|response|answer|thoughts|"
    r"comments|feedback))",
    r"\bawait(ing)? your\b", r"\bwould (you|u) (mind|be (able|willing|interested|available|so kind))\b",
    r"\byour (thoughts|comments|input|feedback|views?|opinion|approval|signature|help|assistance|"
    r"confirmation|response|reply|answer) (on|would|is|are|please|by|as soon|asap)\b",
    r"\b(can|could) (you|u)\b", r"\bhope (that )?you (can|could|will be able to)\b",
    r"\bit would be (great|good|helpful|nice|useful|ideal|appreciated)\b",
    r"\bwould be (ideal|great|helpful|useful) if\b",
    r"\bif you (could|would|get a (chance|minute|moment|second)|have a (minute|moment|chance|second))\b",
    r"\bwhen you (get|have) a (chance|minute|moment|second)\b",
    r"\b(remember|don'?t forget|be sure|make sure) to\b", r"\bjust a (quick )?reminder\b",
    # indirect requests: a wish about the reader, a recommendation, an offer the reader may take up
    r"\b(i|we)('d| would) (like|love) to (invite|introduce|ask|see) you\b",
    r"\b(i|we)('d| would) like to (discuss|talk|meet|chat|speak|go over|review|catch up)\b.{0,40}\b(with )?you\b",
    r"\bmy (recommendation|suggestion|advice) (would be|is|was) (to|that)\b",
    r"\bi (think|believe|feel|suggest) (that )?you (should|need to|might want to|may want to|ought to|could)\b",
    r"\byou (might|may) (want|wish|like) to\b",
    r"\byou (will |'ll |would |also |still |really )*(need|have) to\b(?! (be|have) (a|an|the) )",
    r"\bfeel free to\b(?!.*\b(contact|call|email|e-mail|write to|reach) us\b)",
    r"\b(will|would) be (very |most |really )?(helpful|appreciated|great|awesome|nice|wonderful)\b",
    r"\b(wait|waiting|look forward|looking forward) to hear(ing)? (from|back from) you\b",
    r"\b(i|we)('d| would) like to (sit down|sit|get together|meet up) with you\b",
    r"\bif you (want|would like|'d like|wish|care|have time) to (take a look|have a look|look at|review|see|"
    r"join|discuss|talk|meet|get together|chat)\b",
    r"\b(don'?t|do not) hesitate\b",  # a company's "don't hesitate to contact us" is skipped before this
)

_IMPERATIVE = _rx(
    _LEAD + r"(?:(?:pls|please)\s+)?(?:send|forward|fax|call|email|e-mail|review|confirm|sign|check|"
    r"look (?:at|over|into)|read|print|advise|tell|ask|give|go (?:ahead|over|through|to)|schedule|set up|"
    r"arrange|reserve|fill (?:out|in)|complete|return|approve|update|fix|respond|reply|remind|provide|"
    r"bring|make sure|add|remove|prepare|coordinate|follow up|touch base|talk|think about|hold|"
    r"keep (?:me|us|him|her|them|\w+ (?:posted|informed|updated|in the loop))|try and|plan on|meet|come|"
    r"stop by|drop|pick up|grab|circulate|distribute|draft|revise|edit|mark up|comment|include|attach|"
    r"submit|handle|verify|ensure|remember|pass|share|loop|cc|bcc|contact|reach out|notify|inform|discuss|"
    r"see what|see if|have a look|take a look|start|stop|put|get|let|be sure|double[- ]check|consider|"
    r"find out|figure out|line up|write|buy|sell|move|hang|use|do (?:not|n'?t)|don'?t|never)\b",
)
_NOT_IMPERATIVE = _rx(
    _LEAD + r"(?:look(?:s|ing)? (?:like|forward|good|great)|keep (?:up|moving|it up|in touch)"
    r"|don'?t (?:worry|know|let|feel|hesitate|think|have|need)|let (?:me|us) (?!know\b)"
    r"|let['’]?s (?:go ahead|proceed|do it)\b(?!.*\?)|read me\b"
    r"|get (?:it|yours|started|up to|ready|the best)\b|go (?:here|to)\b|use (?:code|this|the|your)\b"
    r"|start (?:saving|your|now|shopping|today)|stop by (?:our|the store)|move over|talk (?:soon|later)\b)",
)
_YOU_SHOULD = _gated(
    r"^(?:[\w.'-]+,\s+)?(?:i think |maybe |perhaps |i suggest |i guess )?(?:you|u) "
    r"(?:really |also |may |might |will )?(?:should|need to|must|have to|ought to|"
    r"might (?:want to|give|tell|ask|check|call)|may (?:need|want) to)\b",
    r"\bi think (?:you|we) (?:need|should)\b",
    r"^(?:[\w.'-]+,\s+)?(?:i think )?we (?:really )?(?:need|should|must|have) to (?:talk|discuss|meet|"
    r"get|decide|agree|figure|finalize|review|make|reach|send|produce|finish|have)\b",
)


def makes_request(sentence: str) -> str | None:
    if (_REQUEST.search(sentence) or _YOU_SHOULD.search(sentence)
            or (_IMPERATIVE.search(sentence) and not _NOT_IMPERATIVE.search(sentence))):
        return f"makes a request: {_quote(sentence)}"
    return None


# --- proposals ----------------------------------------------------------------------------------------------

_MEET = (r"(meet|discuss|talk|chat|get together|catch up|get caught up|speak|visit with|review|go over|"
         r"sit down|set up|schedule|arrange|reschedule|delay|continue|join|grab|go (to|for|out)|"
         r"do (lunch|dinner)|have (a |an )?(dinner|lunch|breakfast|coffee|drinks?|beer|call|discussion|"
         r"meeting|conversation|chat))\b")
_PROPOSAL = _gated(
    r"\b(let['’;]s|let us)\b(?! (know|see how|hope|face it|be honest|help|go ahead|proceed|do it\b(?!.*\?)))",
    r"\blets\b(?! (you|users|them|him|her|people|me|us|anyone|everyone|customers))",  # not "the app lets you"
    r"\b(shall|should|can|could) we\b", r"\b(how|what) about\b", r"\bwhy (don'?t|not) (we|you)\b",
    r"\b(maybe|perhaps) (we|you) (can|could|should|might)\b",
    r"\bi('d| would)? (suggest|propose|recommend)\b",
    r"\b(would|does|is|will) (\w+ )?(\w+ )?(work|good|ok|okay|convenient) for you\b",
    r"\b(are|is) (you|everyone) (free|available|around)\b",
    r"\b(we|i) (also |really |then |further |probably |perhaps |maybe )?(can|could|might|should|shall|"
    r"need to|will need to|will have to|would like to|'d like to|want to|like to|would love to|'d love to|"
    r"shall be (very )?(glad|happy) to) (also |then |further |try to |perhaps |maybe |really )?" + _MEET,
    r"\b(need|needs) to (get together|meet|discuss|talk|chat|catch up)\b",
    r"\b(we|i)('d| would)( also| really)? (like|prefer|want) to (move|hold|have|push|postpone|reschedule|change|"
    r"set up|schedule|arrange) (the |our |a |an |this |that |\w+'s )?(\w+ )?(meeting|call|discussion|session|"
    r"appointment|lunch|dinner|review|presentation)s?\b",
    r"\b(would|will|i'd|we'd) be (very )?(happy|glad|pleased|delighted|interested) (to|in) (" + _MEET
    + r"|join|come|hear|have you|talk|talking|meeting|discussing)",
    r"\b(want|like|care) to (join|come|meet) (us|me)\b", r"(?<!to )\bjoin (us|me)\b", r"\binvite you\b",
    r"\binvitation to you\b", r"\b(you'?re|you are) welcome to\b", r"\bcount me in\b",
    r"\b(i'?m|i am|we are|we're) (also )?(available|free|open) (to|for|on|at|any|mon|tue|wed|thu|fri|sat|sun|"
    r"this|next|tomorrow|today|after|before|\d)",
    r"\b(i'?m|i am) interested in (talking|meeting|discussing)",
    r"\b(might|may|would) be (useful|worthwhile|helpful|good|a good idea) (to|for us|for you)\b",
    r"\bit may be (worthwhile|useful|appropriate) for\b",
    r"\b(works|would work|is good|is fine|is best|sounds good) (for|to) (me|us)\b", r"\bwould be best for\b",
    r"\b(want|wanna) to come\b", r"\bcome by\b", r"\bwe are ok for\b",
    r"\b(things|issues|something) (that )?i (want|need|would like) to discuss\b",
    r"^\W*(would|'d) (love|like|definitely like|be happy|be glad)\b",
    r"\bwould love to (have|come|join|see)\b",
)


def proposes(sentence: str) -> str | None:
    if _PROPOSAL.search(sentence):
        return f"proposes: {_quote(sentence)}"
    return None


# --- the message as a whole ---------------------------------------------------------------------------------

_THANKS = _rx(r"^\W*(many |a lot |lots )?(thanks?|thank you|thx|ty|cheers|much appreciated|appreciate it)\b")
_ACK = _rx(r"^\W*(ok(ay)?|got it|noted|sounds (good|great)|will do|great|perfect|understood|sure|"
           r"no problem|np|done|fyi|see (below|attached)|have a (great|good|nice|lovely)|talk (soon|later))\b")

SentenceDetector = Callable[[str], "str | None"]
# Sentences that ask nothing of this reader, skipped before the detectors run, with the reason reported.
SKIPPED: tuple[tuple[str, Searcher], ...] = (
    ("FYI", _FYI),
    ("apology or correction", _APOLOGY),
    ("rhetorical question", _RHETORICAL),
    ("marketing or boilerplate", _MARKETING),
    ("a company's offer of help", _COMPANY_OFFER),
    ("FYI", _NOTICE),
)
DETECTORS: tuple[SentenceDetector, ...] = (asks_question, proposes, makes_request)


def _skip(sentence: str) -> str | None:
    for reason, pattern in SKIPPED:
        if pattern.search(sentence):
            return reason
    return None


def _rules(sentences: list[str]) -> Intent:
    for sentence in sentences:
        if _NO_REPLY.search(sentence):
            return Intent(False, f"says no reply is needed: {_quote(sentence)}")
    kept: list[str] = []
    skipped: list[str] = []
    for sentence in sentences:
        skip = _skip(sentence)
        if skip:
            skipped.append(skip)
            continue
        kept.append(sentence)
        for detector in DETECTORS:
            reason = detector(sentence)
            if reason:
                return Intent(True, reason)
    if not kept:
        return Intent(False, f"{skipped[0]} only")
    if all(_THANKS.search(s) for s in kept):
        return Intent(False, "thanks only")
    if all(_THANKS.search(s) or _ACK.search(s) for s in kept):
        return Intent(False, "acknowledgement only")
    return Intent(False, "no question or request")


def expects_reply(text: str) -> Intent:
    """Whether the new text of a sent message asks the reader for a reply, and why."""
    sentences = _sentences(text)
    if not sentences:
        return Intent(False, "no text")
    return _rules(sentences)

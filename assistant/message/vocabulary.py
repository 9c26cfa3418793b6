"""The one home of the words mail software and people use, in many languages: data, and the one helper that
turns a list of them into a regex.

Quote splitting, the automation detectors and the subject handling all read these lists; two lists that
disagree are a bug waiting, so add a word here and every reader learns it. Entries are lowercase.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of these words, longest first, so that "november" is tried before "nov"."""
    return "|".join(sorted({re.escape(w) for w in words}, key=len, reverse=True))


def subject_prefixes(words: Iterable[str]) -> re.Pattern[str]:
    """One or more of these prefixes at the start of a subject, stacked and counted: "Re: AW[2]: Fwd(3)："."""
    return re.compile(r"^\s*(?:(?:" + alternation(words) + r")\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+", re.IGNORECASE)


# Subject prefixes of replies and forwards ("Re:", "AW:", "SV:", "Odp:", "回复:"), as mail clients write them.
REPLY_PREFIXES = (
    "re", "aw", "antw", "antwort", "sv", "vs", "ref", "rif", "r", "res", "odp", "odg", "ynt", "vá", "vs",
    "rv", "atb", "απ", "σχετ", "отв", "ответ", "回复", "回覆", "答复", "返信", "답장", "回信",
)
FORWARD_PREFIXES = (
    "fw", "fwd", "wg", "tr", "enc", "i", "pd", "rv", "doorst", "vb", "vl", "fs", "přeposlat", "továbbítás",
    "yml", "ilt", "προώθ", "пересл", "转发", "轉寄", "転送", "전달",
)
REPLY_PREFIX = subject_prefixes(REPLY_PREFIXES)  # "Re: AW: ", stacked: what a reply's subject starts with
FORWARD_PREFIX = subject_prefixes(FORWARD_PREFIXES)
REPLY_OR_FORWARD_PREFIX = subject_prefixes(REPLY_PREFIXES + FORWARD_PREFIXES)  # "Re: Fwd: RE[2]: "

# Local parts of the mailboxes that mail systems send bounces and notices from. A postmaster is also a person's
# role mailbox (analysis/automated.py keeps one answering in a thread a person).
POSTMASTER_LOCALS = ("postmaster", "post_master", "post-master")
MAIL_SYSTEM_LOCALS = (
    "mailer-daemon", "mailer_daemon", "mailer.daemon", "mail-daemon", "mailerdaemon", "mail_daemon",
    *POSTMASTER_LOCALS, "mail-delivery-system", "maildelivery", "mailadmin", "mail-admin",
    "microsoftexchange329e71ec88ae4615bbc36ab6ce41109e", "mdaemon", "mailerdaemon-noreply", "smtp-gateway",
)
# Display names mail systems sign bounces with, whatever the address behind them.
MAIL_SYSTEM_NAMES = (
    "mail delivery system", "mail delivery subsystem", "mail delivery service", "mail delivery subsystem",
    "mailer-daemon", "mailer daemon", "mail system", "mail system error",
    "postmaster", "post master", "mail delivery", "microsoft outlook", "delivery status notification",
    "mailerdaemon", "e-mail delivery system", "internet mail delivery",
    "mdaemon", "mail transport system", "mail router", "smtp gateway",
    "e-postsystem", "servicio de entrega de correo", "système de distribution du courrier", "mailsystem",
    "nachrichtenübermittlungssystem", "e-mail-zustellsystem",
)
NO_REPLY_LOCALS = (  # matched at the start of the local part, followed by its end or a separator
    "noreply", "no-reply", "no_reply", "no.reply", "donotreply", "do-not-reply", "do_not_reply",
    "do.not.reply", "do-notreply", "donot-reply", "dontreply", "dont-reply", "noresponse", "no-response",
    "notification", "notifications", "notify", "alert", "alerts", "bounce", "bounces", "automailer",
    "auto-confirm", "autoconfirm", "auto_confirm", "autoreply", "auto-reply",
)
# Local-part suffixes of mailing-list managers' own addresses (owner, admin, request, bounces).
LIST_MANAGER_SUFFIXES = ("-owner", "-admin", "-request", "-bounces", "-help", "-confirm", "-return",
                         "owner-", "-approval")
LIST_MANAGER_LOCALS = ("listserv", "majordomo", "sympa", "mailman", "ezmlm", "listproc", "lyris",
                       "fml", "ecartis", "smartlist", "listar", "mlmmj")

# Header names, as mail clients write a quoted message's header block in each language. Each key says what
# the header is; a header block needs a FROM-like key and a DATE, SUBJECT or TO-like one.
HEADER_KEYS: dict[str, str] = {}
for _role, _names in {
    "from": ("from", "von", "de", "da", "van", "från", "fra", "frá", "lähettäjä", "od", "от", "от кого",
             "kimden", "feladó", "expeditor", "de la", "apo", "από", "từ", "dari", "מאת", "من", "差出人",
             "发件人", "發件人", "寄件者", "보낸 사람", "보낸사람", "author", "autor", "absender", "remitente",
             "mittente", "afzender", "avsändare", "avsender", "afsender", "saatja", "siuntėjas", "sūtītājs",
             "pošiljatelj", "pošiljalac", "odesílatel", "odosielateľ", "відправник", "подател", "mula kay"),
    "date": ("date", "sent", "datum", "gesendet", "envoyé", "enviado", "enviado el", "enviada", "inviato",
             "data", "verzonden", "verstuurd", "skickat", "sendt", "sent:", "lähetetty", "päivämäärä",
             "wysłano", "wysłane", "data wysłania", "odesláno", "odoslané", "отправлено", "дата", "надіслано",
             "gönderildi", "tarih", "elküldve", "dátum", "trimis", "στάλθηκε", "ημερομηνία", "đã gửi", "ngày",
             "dikirim", "tanggal", "נשלח", "تاريخ", "أرسل", "送信日時", "日付", "发送时间", "日期",
             "時間", "傳送時間", "寄件日期", "보낸 날짜", "날짜", "fecha", "date sent", "sent at", "when",
             "posted", "poslano", "poslané", "išsiųsta", "nosūtīts", "saadetud"),
    "to": ("to", "an", "à", "a", "para", "aan", "till", "til", "vastaanottaja", "do", "кому", "kime",
           "címzett", "către", "προς", "đến", "kepada", "אל", "إلى", "宛先", "收件人", "收件者", "받는 사람",
           "받는사람", "destinatario", "destinataire", "empfänger", "komu", "adresát", "prejemnik", "kam",
           "gavėjas", "adresāts", "saaja", "recipient", "recipients"),
    "cc": ("cc", "kopie", "copie", "cópia", "copia", "kopio", "kopia", "копия", "bilgi", "másolat",
           "κοιν", "抄送", "副本", "참조", "bcc", "blindkopie", "cco", "ccn"),
    "subject": ("subject", "betreff", "objet", "asunto", "oggetto", "onderwerp", "ämne", "emne", "aihe",
                "temat", "předmět", "predmet", "тема", "konu", "tárgy", "subiect", "θέμα", "chủ đề", "perihal",
                "subjek", "נושא", "الموضوع", "件名", "主题", "主旨", "제목", "assunto", "tema", "tēma",
                "teema"),
}.items():
    for _name in _names:
        HEADER_KEYS.setdefault(_name, _role)

# Verbs of attribution lines ("On … Dana wrote:"), in the languages mail clients write them.
WROTE = (
    "wrote", "writes", "said", "schrieb", "schreef", "a écrit", "escribió", "escreveu", "ha scritto", "scrisse",
    "skrev", "kirjoitti", "napisał", "napisała", "napisał(a)", "napsal", "napsala", "napísal", "написал",
    "написала", "написав", "написала:", "yazdı", "şunu yazdı", "ezt írta", "írta", "a scris", "έγραψε",
    "kirjutas", "rašė", "rakstīja", "je napisao", "je napisala", "je napisal", "написа", "viết", "menulis",
    "כתב", "كتب", "wrote on", "작성", "님이 작성", "写道", "寫道", "のメッセージ", "quoting", "zitat von",
    "citando", "cita de", "escribio", "escribiu", "skriver", "skrifaði",
)

# Separator lines that start a quoted or forwarded message, without their dashes: "-----Original Message-----".
ORIGINAL_MESSAGE = (
    "original message", "forwarded message", "forwarded by", "reply separator", "message d'origine",
    "message original", "message transféré", "ursprüngliche nachricht", "weitergeleitete nachricht",
    "originalnachricht", "mensaje original", "mensaje reenviado", "messaggio originale",
    "messaggio inoltrato", "oorspronkelijk bericht", "origineel bericht", "doorgestuurd bericht",
    "mensagem original", "mensagem encaminhada", "ursprungligt meddelande", "vidarebefordrat meddelande",
    "opprinnelig melding", "videresendt melding", "oprindelig meddelelse", "videresendt meddelelse",
    "alkuperäinen viesti", "välitetty viesti", "oryginalna wiadomość", "wiadomość przekazana",
    "původní zpráva", "přeposlaná zpráva", "pôvodná správa", "исходное сообщение", "пересылаемое сообщение",
    "переслане повідомлення", "orijinal ileti", "özgün ileti", "iletilen ileti", "eredeti üzenet",
    "továbbított üzenet", "mesaj original", "αρχικό μήνυμα", "原始邮件", "原始郵件", "転送メッセージ",
    "元のメッセージ", "원본 메시지", "전달된 메시지", "original email", "original e-mail", "begin forwarded message",
    "beginn der weitergeleiteten nachricht", "anfang der weitergeleiteten nachricht", "début du message réenvoyé",
    "début du message réexpédié", "inicio del mensaje reenviado", "início da mensagem reencaminhada",
    "inizio messaggio inoltrato", "forwarded e-mail", "forwarded email",
)

# Sign-offs: the line that ends a writer's own words ("Best regards,"), in many languages.
SIGN_OFFS = (
    "best", "best regards", "best wishes", "kind regards", "warm regards", "warmest regards", "regards",
    "many regards", "with regards", "with best regards", "with kind regards", "kindest regards", "cheers",
    "thanks", "thanks again", "thanks so much", "thanks a lot", "thanks in advance", "thank you", "many thanks",
    "thx", "tia", "sincerely", "sincerely yours", "yours sincerely", "yours truly", "yours faithfully", "yours",
    "all the best", "all best", "talk soon", "take care", "br", "rgds", "respectfully", "love", "ciao",
    "cordially", "have a nice day", "have a great day", "have a good weekend", "thanks and regards",
    "best rgds", "warmly", "speak soon", "thank you very much", "thanks much", "thank you!",
    "mit freundlichen grüßen", "mit freundlichen grüssen", "freundliche grüße", "freundliche grüsse",
    "viele grüße", "viele grüsse", "beste grüße", "beste grüsse", "liebe grüße", "liebe grüsse", "grüße",
    "gruß", "lg", "vg", "mfg", "cordialement", "bien cordialement", "bien à vous", "salutations", "amitiés",
    "bonne journée", "merci", "merci beaucoup", "saludos", "saludos cordiales", "un saludo", "atentamente",
    "un abrazo", "gracias", "muchas gracias", "cordiali saluti", "distinti saluti", "saluti", "un saluto",
    "grazie", "grazie mille", "met vriendelijke groet", "met vriendelijke groeten", "vriendelijke groet",
    "groeten", "groet", "bedankt", "atenciosamente", "abraços", "abraço", "cumprimentos", "obrigado",
    "obrigada", "med vänlig hälsning", "vänliga hälsningar", "hälsningar", "mvh", "med venlig hilsen",
    "venlig hilsen", "med vennlig hilsen", "vennlig hilsen", "hilsen", "ystävällisin terveisin", "terveisin",
    "pozdrawiam", "z poważaniem", "s pozdravem", "s pozdravom", "с уважением", "с наилучшими пожеланиями",
    "спасибо", "з повагою", "saygılarımla", "iyi çalışmalar", "üdvözlettel", "tisztelettel", "cu stimă",
    "με εκτίμηση", "よろしくお願いします", "よろしくお願いいたします", "此致", "谢谢", "감사합니다",
)

# Lines that mobile and desktop apps add under the writer's text: a signature, never the writer's words.
DEVICE_SIGNATURES = (
    "sent from my", "sent from outlook", "sent from mail for windows", "sent from yahoo mail",
    "sent from protonmail", "sent from proton mail", "sent with proton mail", "sent from samsung",
    "sent from gmail", "sent using", "get outlook for", "sent from blackberry",
    "sent wirelessly", "envoyé de mon", "envoyé depuis mon", "envoyé à partir de", "envoyé depuis",
    "obtenir outlook pour", "gesendet von meinem", "gesendet mit", "gesendet von", "von meinem iphone gesendet",
    "outlook für", "enviado desde mi", "enviado desde", "enviado do meu", "enviado do", "obtener outlook para",
    "inviato da", "inviato dal mio", "verzonden vanaf mijn", "verzonden met", "verstuurd vanaf mijn",
    "verzonden vanaf", "skickat från min", "skickat från", "sendt fra min", "sendt fra", "lähetetty",
    "wysłane z", "wysłano z", "odesláno z", "odoslané z", "отправлено с", "отправлено из", "надіслано з",
    "iphone'umdan gönderildi", "küldve", "trimis de pe", "στάλθηκε από", "從我的", "发自我的", "iphoneから送信",
    "android から送信", "내 iphone에서 보냄", "enviado de meu",
)

# Subject prefixes of auto-replies (out of office, vacation, auto-acknowledgements), followed by ":" in mail.
AUTO_REPLY_SUBJECTS = (
    "automatic reply", "auto reply", "auto-reply", "autoreply", "auto response", "auto-response",
    "autoresponse", "autoresponder", "out of office", "out of the office", "out of office autoreply",
    "out of office auto reply", "auto", "away", "vacation", "on vacation", "abwesend", "abwesenheitsnotiz",
    "automatische antwort", "abwesenheit", "réponse automatique", "réponse automatique d'absence",
    "absence", "absent", "respuesta automática", "respuesta automatica", "fuera de la oficina",
    "risposta automatica", "fuori sede", "automatisch antwoord", "afwezigheidsbericht", "afwezig",
    "resposta automática", "resposta automatica", "ausência", "fora do escritório", "autosvar",
    "automatisk svar", "frånvaro", "fraværende", "fravær", "automaattinen vastaus", "poissa",
    "sjálfvirkt svar", "automaatne vastus", "automātiskā atbilde", "prombūtnē", "automatinis atsakymas",
    "odpowiedź automatyczna", "odpowiedz automatyczna", "automatyczna odpowiedź", "nieobecność",
    "automatická odpověď", "odpověď v nepřítomnosti", "automatická odpoveď", "samodejni odgovor",
    "automatski odgovor", "аутоматски одговор", "автоматичен отговор", "автоматический ответ",
    "автоответ", "нет на месте", "автоматична відповідь", "αυτόματη απάντηση", "εκτός γραφείου",
    "otomatik yanıt", "otomatik yanit", "otomatik cevap", "ofis dışında", "automatikus válasz",
    "házon kívül", "răspuns automat", "תשובה אוטומטית", "رد تلقائي", "الرد التلقائي", "自動応答",
    "自動返信", "不在", "不在通知", "自动回复", "自動回覆", "自動回复", "休假", "자동 회신", "자동 응답",
    "부재중", "trả lời tự động", "balasan otomatis", "di luar kantor", "ooo", "oof",
)
# Opening words of an auto-reply's text, for the ones that carry no header sign and keep the subject.
OUT_OF_OFFICE_TEXT = (
    "i am out of the office", "i'm out of the office", "i am currently out of the office",
    "i'm currently out of the office", "i am currently out of office", "i'm currently out of office",
    "i am out of office", "i'm out of office", "i am away from the office", "i'm away from the office",
    "i am currently away", "i'm currently away", "i am on vacation", "i'm on vacation",
    "i am on annual leave", "i'm on annual leave", "i am on leave", "i'm on leave", "i am on holiday",
    "i'm on holiday", "i am away", "i'm away", "i will be out of the office", "i will be out of office",
    "thank you for your email. i am", "thank you for your message. i am", "thanks for your email. i'm",
    "thank you for your e-mail. i am", "this is an automatic reply", "this is an automated reply",
    "this is an automated response", "this is an auto-reply", "this is an automatic response",
    "ich bin bis", "ich bin derzeit nicht", "ich bin zurzeit nicht", "ich bin momentan nicht",
    "ich bin nicht im büro", "ich befinde mich", "vielen dank für ihre nachricht. ich bin",
    "vielen dank für ihre e-mail. ich bin", "je suis absent", "je suis absente", "je serai absent",
    "je suis actuellement absent", "merci pour votre message. je suis", "estoy fuera de la oficina",
    "estaré fuera de la oficina", "me encuentro fuera", "actualmente estoy fuera", "sono fuori ufficio",
    "sarò fuori ufficio", "sono assente", "ik ben afwezig", "ik ben niet aanwezig", "ik ben met vakantie",
    "estou fora do escritório", "estou ausente", "jag är på semester", "jag är ledig", "jag är inte på kontoret",
    "jeg er på ferie", "jeg er fraværende", "jeg er ikke på kontoret", "olen lomalla", "olen poissa",
    "jestem poza biurem", "jestem na urlopie", "jsem mimo kancelář", "jsem na dovolené",
    "я в отпуске", "меня нет в офисе", "я нахожусь в отпуске", "я буду отсутствовать",
    "βρίσκομαι εκτός γραφείου", "ofis dışındayım", "izindeyim", "házon kívül vagyok", "szabadságon vagyok",
    "sunt în concediu", "nu sunt la birou", "esmu atvaļinājumā", "esmu prombūtnē", "atostogauju",
    "olen puhkusel", "不在にしております", "休暇中", "我正在休假", "我目前不在办公室", "目前不在辦公室", "휴가 중",
    "부재중입니다",
)
BOUNCE_SUBJECTS = (
    "undelivered mail returned to sender", "delivery status notification (failure)", "undeliverable",
    "undelivered", "mail delivery failed", "failure notice", "returned mail", "delivery failure",
    "delivery has failed", "mail system error", "non-delivery", "nondelivery", "non delivery",
    "message not delivered", "mail could not be delivered", "message could not be delivered",
    "delivery notification: delivery has failed", "rejected", "message rejected", "unzustellbar",
    "nicht zustellbar", "nachricht konnte nicht zugestellt werden", "non remis", "échec de la remise",
    "echec de la remise", "non distribuable", "no se puede entregar", "no entregado", "non recapitabile",
    "mancato recapito", "onbestelbaar", "niet afgeleverd", "não é possível entregar",
    "não foi possível entregar", "mensagem não entregue", "niedostarczalne", "nie można dostarczyć",
    "olevererbart", "kunde inte levereras", "kan ikke leveres", "ikke leveret", "uanbringelig",
    "ei voitu toimittaa", "toimittamaton", "nedoručitelné", "nedoručiteľné", "kézbesíthetetlen",
    "nem kézbesíthető", "недоставляемое сообщение", "не доставлено", "невозможно доставить",
    "не вдалося доставити", "teslim edilemedi", "teslim edilemeyen", "nelivrabil", "μη παραδοτέο",
    "配信不能", "配送不能", "送信できませんでした", "无法投递", "無法傳遞", "退信", "전달되지 않음",
    "배달 실패", "전송 실패",
)
DELAY_SUBJECTS = (
    "delivery status notification (delay)", "delayed mail (still being retried)", "warning: message",
    "warning: could not send message", "delivery delayed", "mail delivery delayed", "message delayed",
    "delivery notification: delivery has been delayed", "zustellung verzögert", "verzögerte zustellung",
    "remise retardée", "retard de distribution", "entrega retrasada", "consegna ritardata",
    "vertraagde bezorging", "entrega atrasada", "försenad leverans", "warning: temporary delivery failure",
    "temporary delivery failure", "delivery delayed", "delivery delay notification", "warning: delayed mail",
)
# What mailing-list managers and challenge-response filters write.
LIST_MANAGER_TEXT = (
    "you are not a member of", "you are not subscribed", "not a subscriber", "awaits moderator approval",
    "awaiting moderator approval", "held for moderation", "is being held until the list moderator",
    "not allowed to post", "you do not have permission to post", "post to moderated list",
    "posting to a restricted list", "non-member submission", "this is the ezmlm program",
    "authorization denied", "your message has been rejected by the list", "message distribution",
    "you must be subscribed", "only members can post", "has been held for approval",
    "could not be distributed", "your request to the list", "not authorized to send mail to",
    "rejected posting", "you are not authorized to post", "your message was rejected", "posting rejected",
)
CHALLENGE_TEXT = (
    "please confirm you are human", "confirm that you are a human", "confirm that you are a real person",
    "you must confirm that you", "confirm that you sent", "confirm your message", "-confirm+", "confirm you are a real person",
    "verify that you are a human", "verify you are a real person", "prove you are human",
    "protected by boxbe", "boxbe", "spamarrest", "spam arrest", "mailblocks", "choicemail",
    "i use a challenge", "challenge-response", "to have your message delivered, please",
    "awaiting your verification", "earthlink spamblocker",
)

# Subjects that are a whole sentence saying so, as Lotus Notes and some webmail write them.
AUTO_REPLY_SUBJECT_SENTENCES = (
    "is out of the office", "is out of office", "will be out of the office", "ist außer haus",
    "ist nicht im büro", "ist abwesend", "est absent", "est absente", "está fuera de la oficina",
    "è fuori ufficio", "is afwezig", "er fraværende", "är frånvarande",
)
# Auto-reply subject words that are too ordinary to count when they are the whole subject ("Vacation").
AUTO_REPLY_ORDINARY = ("auto", "away", "absence", "absent", "vacation", "on vacation", "ooo", "oof", "休假", "不在",
                       "abwesenheit", "afwezig", "poissa", "fravær", "frånvaro")
# What help desks write when they acknowledge a request automatically.
AUTO_ACK_TEXT = (
    "we have received your request", "we've received your request", "we received your request",
    "your request has been received", "a ticket has been created", "your ticket has been created",
    "we have received your message and", "this is an automated acknowledgement", "this is an automatic confirmation",
    "hemos recibido su solicitud", "hemos recibido tu solicitud", "se ha creado un ticket",
    "nous avons bien reçu votre demande", "nous avons bien reçu votre message", "un ticket a été créé",
    "wir haben ihre anfrage erhalten", "ihre anfrage ist bei uns eingegangen", "ein ticket wurde erstellt",
    "abbiamo ricevuto la tua richiesta", "abbiamo ricevuto la sua richiesta", "we hebben je verzoek ontvangen",
    "we hebben uw verzoek ontvangen", "recebemos a sua solicitação", "recebemos sua solicitação",
)
# Receipts written as text (Lotus Notes "Return Receipt": "Your document: … was received by: …").
RECEIPT_SUBJECTS = ("return receipt", "read receipt", "read:", "lesebestätigung", "gelesen:", "accusé de lecture",
                    "lu :", "lu:", "leído:", "letto:", "gelezen:", "confirmación de lectura", "conferma di lettura")
RECEIPT_TEXT = ("was received by", "was read by", "has been read", "was read on", "wurde gelesen",
                "wurde empfangen von", "a été lu", "ha sido leído", "è stato letto", "is gelezen")
# Words that turn a sentence round ("I'm away next week, but you are registered"): a person answering.
CONTRAST_WORDS = ("but", "so", "however", "though", "although", "mais", "cependant", "toutefois", "aber", "jedoch",
                  "trotzdem", "pero", "sin embargo", "ma", "però", "tuttavia", "maar", "echter", "mas", "porém",
                  "men", "dog", "mutta", "ale", "jednak", "но", "однако", "ama", "fakat", "しかし", "但是", "하지만")

# Month and weekday names. The promise detector reads English only; an out-of-office's return date is read in
# English, German, French and Spanish by these, and in many more languages by MONTH_STEMS below.
ENGLISH_MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
# Abbreviations (a name that starts a longer one): their full stop ends no sentence, "by Nov. 5".
MONTH_ABBREVIATIONS = tuple(m for m in ENGLISH_MONTHS if any(o != m and o.startswith(m) for o in ENGLISH_MONTHS))
MONTHS: dict[str, int] = {
    **ENGLISH_MONTHS,
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mai": 5, "juni": 6, "juli": 7,
    "oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7, "août": 8,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}
ENGLISH_WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
WEEKDAY_ABBREVIATIONS: dict[str, int] = {
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5,
    "sun": 6,
}
WEEKDAYS: dict[str, int] = {
    **ENGLISH_WEEKDAYS,
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonnabend": 5,
    "sonntag": 6, "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "lunes": 0, "martes": 1, "miércoles": 2, "miercoles": 2, "jueves": 3, "viernes": 4, "sábado": 5,
    "sabado": 5, "domingo": 6,
}

# Month names in many languages, as stems that their inflected forms start with ("listopad" → listopada,
# listopadu). A stem that means different months in two languages (Croatian "listopad" is October) is left
# to the language that uses it most in mail: here the Czech and Polish November.
MONTH_STEMS: dict[str, int] = {}
for _month, _stems in enumerate((
    ("jan", "jän", "janv", "ene", "gen", "tammi", "styczn", "stycz", "leden", "ledn", "januá", "январ", "янв", "січ",
     "ιανου", "ocak", "ianuar", "sausio", "janvār", "jaanuar", "siječ", "siječnj", "јануар", "януари", "janúar"),
    ("feb", "fév", "fev", "febb", "helmi", "lut", "únor", "únor", "februá", "феврал", "фев", "лют", "φεβρου",
     "şubat", "subat", "februar", "vasario", "februār", "veebruar", "veljač", "фебруар", "февруари", "febrúar"),
    ("mar", "mär", "maerz", "mars", "marzo", "maalis", "marz", "břez", "březn", "marec", "марта", "март", "берез",
     "μαρτ", "mart", "martie", "kovo", "mart", "märts", "ožuj", "марта", "március"),
    ("apr", "avr", "abr", "huhti", "kwie", "dub", "dubn", "apríl", "апрел", "апр", "квіт", "απριλ", "nisan",
     "aprilie", "balandž", "aprīl", "aprill", "trav", "април", "április"),
    ("may", "mai", "mayo", "magg", "mei", "maio", "touko", "maj", "květ", "kvetn", "máj", "мая", "май", "трав",
     "μαΐ", "μαι", "mayıs", "mayis", "gegužė", "maijs", "maij", "svib", "мај", "május"),
    ("jun", "juin", "giu", "juni", "kesä", "czerw", "červn", "červen", "jún", "июн", "черв", "ιουν", "haziran",
     "iunie", "birželio", "jūnij", "juuni", "lip", "јун", "юни", "június"),
    ("jul", "juil", "lug", "juli", "heinä", "lipc", "lipiec", "červenc", "červenec", "júl", "июл", "лип", "ιουλ",
     "temmuz", "iulie", "liepos", "jūlij", "juuli", "srp", "јул", "юли", "július"),
    ("aug", "août", "aout", "ago", "augus", "elo", "sierp", "srpn", "srpen", "augusz", "август", "авг", "серп",
     "αυγου", "ağustos", "agustos", "rugpjūčio", "august", "kolovoz", "август", "augusztus"),
    ("sep", "sept", "set", "sett", "syys", "wrze", "září", "zář", "septemb", "сентябр", "сен", "верес", "σεπτεμ",
     "eylül", "eylul", "rugsėjo", "septembr", "rujan", "ruj", "септемб", "szeptember"),
    ("oct", "okt", "ott", "out", "loka", "paźdz", "pazdz", "říj", "října", "октябр", "окт", "жовт", "οκτω",
     "ekim", "octombrie", "spalio", "oktobr", "listopad_hr", "октоб", "október"),
    ("nov", "noviem", "novem", "marras", "listopad", "novemb", "ноябр", "ноя", "листопад", "νοεμ", "kasım",
     "kasim", "noiembrie", "lapkri", "novembr", "studen", "новемб", "ноември", "nóvember", "november"),
    ("dec", "déc", "dez", "dic", "dici", "joulu", "grud", "prosin", "prosinc", "decemb", "декабр", "дек", "груд",
     "δεκεμ", "aralık", "aralik", "decembrie", "gruodžio", "decembr", "prosin", "децемб", "декември",
     "desember", "december", "desemb"),
), start=1):
    for _stem in _stems:
        MONTH_STEMS.setdefault(_stem, _month)
for _month, _name in enumerate(("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
                                "أكتوبر", "نوفمبر", "ديسمبر"), start=1):
    MONTH_STEMS.setdefault(_name, _month)
for _month, _name in enumerate(("ינואר", "פברואר", "מרץ", "אפריל", "מאי", "יוני", "יולי", "אוגוסט", "ספטמבר",
                                "אוקטובר", "נובמבר", "דצמבר"), start=1):
    MONTH_STEMS.setdefault(_name, _month)
    MONTH_STEMS.setdefault("ב" + _name, _month)  # "בנובמבר": in November
# Words that say the writer is back, or from when they read mail again ("Вернусь", "palaan", "vanaf").
RETURN_WORDS = (  # English is the precise reader's (analysis/return_date.py); these are for the wide one
    "zurück", "wieder", "retour", "de vuelta", "regres", "vuelvo", "rientr", "terug", "weer",
    "tillbaka", "tilbake", "tilbage", "palaa", "takaisin", "wracam", "powrót", "wrócę", "zpět", "vrátím",
    "opět", "späť", "opäť", "vrnem", "vraćam", "враћам", "вернусь", "вернусь", "повернуся", "върна",
    "επιστρέψ", "επιστροφ", "döneceğim", "dönüyorum", "olacağım", "visszatér", "újra", "ismét", "revin",
    "întorc", "retorno", "regresso", "regressarei", "voltarei", "volto", "kembali", "trở lại", "aftur",
    "tagasi", "grįšiu", "grįš", "atgriez", "出社", "復帰", "戻り", "以降", "복귀", "부터", "返回", "回到", "回来",
    "回來", "返", "אחזור", "سأعود", "available again", "ansprechbar", "erreichbar", "joignable", "disponible",
    "à partir du", "a partir del", "a partir de", "vanaf", "ab dem", "od", "från och med", "fra og med",
    "dal", "desde", "с", "від", "από", "itibaren", "-tól", "-től", "начиная", "lees ik", "lesen", "lire",
    "leggerò", "leer", "tillbaka", "trở lại", "quay lại", "回到", "ואחזור", "אחזור",
    "وسأعود", "سأعود", "أعود",
)
# Words that say the writer is away up to a date (the day after is the day back).
UNTIL_WORDS = (
    "until", "till", "through", "thru", "bis", "jusqu", "hasta", "fino", "tot en met", "t/m", "tot", "t.o.m",
    "till och med", "til og med", "tom", "do ", "до ", "до", "até", "ate ", "līdz", "iki", "ως", "έως", "μέχρι",
    "au ", "al ", "al ", "to ", "-ig", "kadar", "asti", "まで", "까지", "至", "到", "עד", "حتى", "cho đến", "sampai",
    "hingga", "kuni", "do dne", "zaključno", "đến", "t.o.m.",
)

# Openers of a message: the greeting line a writer starts with ("Hi Frank,", "Sehr geehrter Herr Moss,").
GREETINGS = (
    "hi", "hello", "hey", "dear", "good morning", "good afternoon", "good evening", "greetings", "hi all",
    "hello all", "hi everyone", "hi team", "morning",
    "hallo", "hi", "liebe", "lieber", "sehr geehrte", "sehr geehrter", "sehr geehrte damen und herren",
    "guten tag", "guten morgen", "moin", "servus", "grüß gott", "grüezi",
    "bonjour", "bonsoir", "salut", "cher", "chère", "madame", "monsieur", "coucou",
    "hola", "buenos días", "buenas tardes", "buenas", "estimado", "estimada", "estimados", "querido", "querida",
    "ciao", "salve", "buongiorno", "buonasera", "caro", "cara", "gentile", "gentilissimo", "gentilissima",
    "egregio", "spettabile",
    "hoi", "hallo", "beste", "geachte", "goedemorgen", "goedemiddag", "dag",
    "olá", "ola", "oi", "bom dia", "boa tarde", "prezado", "prezada", "caro", "cara", "exmo", "exma",
)
# Words in a greeting that make it formal whatever the language: a title, a formal opener.
FORMAL_GREETING_WORDS = (
    "dear mr", "dear mrs", "dear ms", "dear dr", "dear sir", "dear madam",
    "sehr geehrte", "herr", "frau", "dr.", "guten tag",
    "madame", "monsieur", "m.", "mme",
    "estimado", "estimada", "estimados", "sr.", "sra.", "señor", "señora", "don", "doña",
    "gentile", "gentilissimo", "gentilissima", "egregio", "spettabile", "dott.", "dott.ssa", "sig.", "sig.ra",
    "buongiorno",
    "geachte", "meneer", "mevrouw", "dhr.", "mevr.",
    "prezado", "prezada", "exmo", "exma", "senhor", "senhora",
)
# The second person as a writer addresses one reader: (informal, formal) words, by language. Formal German
# and Italian pronouns are capitalised, and only counted so ("Sie", "Lei").
ADDRESS_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "de": (("du", "dich", "dir", "dein", "deine", "deinen", "deinem", "deiner", "hast", "kannst", "bist"),
           ("Ihnen", "Ihr", "Ihre", "Ihren", "Ihrem", "Ihrer", "Sie")),
    "fr": (("tu", "te", "toi", "ton", "ta", "tes", "t'"), ("vous", "votre", "vos")),
    "es": (("tú", "te", "ti", "tu", "tus", "tienes", "puedes", "avísame", "dime"),
           ("usted", "ustedes", "podría", "le adjunto", "avíseme", "dígame")),
    "it": (("tu", "ti", "tuo", "tua", "tuoi", "tue", "hai", "puoi", "fammi"),
           ("Lei", "La", "Le", "Suo", "Sua", "Suoi", "potrebbe", "mi faccia")),
    "nl": (("je", "jij", "jou", "jouw", "heb je", "kun je"), ("u", "uw", "heeft u", "kunt u")),
    "pt": (("tu", "te", "teu", "tua", "você", "vc", "me avisa"),
           ("o senhor", "a senhora", "vossa", "poderia", "prezado", "prezada")),
}

#!/usr/bin/env python3
"""Deterministic generator for the GHL stand-in's demo seed (src/sandbox, Seed::Demo).

Writes, next to this script:
  ghl_contacts.json       list of full GHL contacts (GET /contacts/{id} shape, GetContectByIdSchema
                          plus the live-only fields additionalEmails/phoneLabel/contactName/...)
  ghl_tasks.json          list of TaskSchema objects (each carries contactId)
  ghl_notes.json          list of GetNoteSchema objects (some without title/color/pinned)
  ghl_appointments.json   list of GetEventSchema objects ("YYYY-MM-DD HH:MM:SS" times, no zone)
  ghl_custom_fields.json  list of CustomFieldSchema objects (locations.json)

Standard library only, fixed random seed and fixed "now", so re-running gives identical files:
    python3 assets/demo/generate.py
"""

import json
import os
import random
from datetime import datetime, timedelta, timezone

SEED = 20261129
NOW = datetime(2026, 11, 29, 12, 0, 0, tzinfo=timezone.utc)
LOCATION_ID = "bmbyDemoLoc7Qx2Lm9Za"  # must equal sandbox::DEMO_LOCATION_ID
N_CONTACTS = 540
TOP_ALIVE = 25  # the newest N contacts (dateAdded desc) get >=1 task, note and appointment

rng = random.Random(SEED)
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_used_ids = set()


def gid():
    while True:
        s = "".join(rng.choice(ALNUM) for _ in range(20))
        if s not in _used_ids:
            _used_ids.add(s)
            return s


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def naive(dt):
    return dt.strftime("%Y-%m-%d %H:%M:%S")


# Location users (assignedTo / userId). Ids are drawn as before (so every other id stays the
# same) and then three are replaced by the users the stand-in seeds (src/sandbox/lists.rs USERS),
# so owners and assignees read as names; the fourth stays a user the location does not know
# (a removed user), shown as "<id> (unknown user)".
_SEEDED_USERS = {
    "BbrSK29CZTux1KMoBFeJ": "usrDanaLevi000000001",
    "cAPftZDBkb1gA8fpjSkB": "usrAviCohen000000002",
    "DPYhgFy5pbnAnknyD7Pm": "usrMichalAvr00000003",
}
USERS = [_SEEDED_USERS.get(u, u) for u in (gid() for _ in range(4))]
CALENDARS = [gid() for _ in range(2)]

HEB_FIRST = [
    ("יוסי", "yossi"), ("מיכל", "michal"), ("אבי", "avi"), ("דני", "dani"), ("רונית", "ronit"),
    ("שרה", "sara"), ("משה", "moshe"), ("נועה", "noa"), ("תמר", "tamar"), ("איתי", "itay"),
    ("יעל", "yael"), ("עומר", "omer"), ("אורי", "uri"), ("שירה", "shira"), ("דוד", "david"),
    ("רחל", "rachel"), ("גיל", "gil"), ("ליאור", "lior"), ("הילה", "hila"), ("עידו", "ido"),
    ("אסתר", "ester"), ("יצחק", "itzik"), ("אלון", "alon"), ("מאיה", "maya"), ("רועי", "roi"),
]
HEB_LAST = [
    ("כהן", "cohen"), ("לוי", "levi"), ("מזרחי", "mizrahi"), ("פרץ", "peretz"), ("ביטון", "biton"),
    ("דהן", "dahan"), ("אברהם", "avraham"), ("פרידמן", "friedman"), ("אזולאי", "azulay"),
    ("שפירא", "shapira"), ("גולן", "golan"), ("בן דוד", "bendavid"), ("אוחיון", "ohayon"),
    ("רוזנברג", "rosenberg"), ("חדד", "hadad"), ("סגל", "segal"),
]
EN_FIRST = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Daniel", "Karen", "Matthew", "Nancy", "Anthony", "Lisa", "Mark", "Emily", "Steven", "Ashley",
]
EN_LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee",
    "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "O'Brien",
]
IL_CITIES = [
    ("תל אביב", "Tel Aviv", "6100000"), ("ירושלים", "Jerusalem", "9100000"), ("חיפה", "Haifa", "3100000"),
    ("רמת גן", "Ramat Gan", "5200000"), ("הרצליה", "Herzliya", "4600000"), ("רעננה", "Ra'anana", "4300000"),
    ("באר שבע", "Beer Sheva", "8400000"), ("נתניה", "Netanya", "4200000"), ("מודיעין", "Modiin", "7170000"),
    ("פתח תקווה", "Petah Tikva", "4900000"),
]
IL_STREETS = ["הרצל", "רוטשילד", "דיזנגוף", "ויצמן", "בן גוריון", "ז'בוטינסקי", "אלנבי", "הנביאים", "העצמאות"]
US_CITIES = [
    ("New York", "NY", "10001", "America/New_York"), ("Miami", "FL", "33101", "America/New_York"),
    ("Los Angeles", "CA", "90001", "America/Los_Angeles"), ("Chicago", "IL", "60601", "America/Chicago"),
    ("Austin", "TX", "73301", "America/Chicago"), ("Boston", "MA", "02108", "America/New_York"),
    ("Teaneck", "NJ", "07666", "America/New_York"),
]
US_STREETS = ["Main St", "Oak Ave", "Maple Dr", "Park Blvd", "Sunset Blvd", "Broadway", "Elm St"]
TAGS_COMMON = ["buyer", "seller", "investor", "renter", "hot-lead", "cold", "vip", "bmby-sync",
               "newsletter", "תל אביב", "ירושלים", "משקיע", "קונה", "דירת גן", "follow-up"]
SOURCES = ["public api", "Facebook Lead Ad", "Website form", "Bmby import", "CRM UI", "Yad2", "Madlan", "referral"]
COMPANIES_HE = ["נדל\"ן השרון בע\"מ", "כהן את לוי נכסים", "אחוזות החוף", "מגדלי הים התיכון"]
COMPANIES_EN = ["Acme Realty", "Skyline Investments LLC", "Blue Harbor Capital", "Oak & Stone Properties"]

# --- custom field definitions (GET /locations/{id}/customFields) ------------------------------
CF = []


def cf(name, key, dtype, model="contact", placeholder="", options=None):
    d = {
        "id": gid(),
        "name": name,
        "fieldKey": "%s.%s" % (model, key),
        "placeholder": placeholder,
        "dataType": dtype,
        "position": len([c for c in CF if c["model"] == model]) * 50,
        "picklistOptions": options or [],
        "picklistImageOptions": [],
        "isAllowedCustomOption": False,
        "isMultiFileAllowed": False,
        "maxFileLimit": 0,
        "locationId": LOCATION_ID,
        "model": model,
    }
    CF.append(d)
    return d


CF_BMBY_ID = cf("Bmby Client ID", "bmby_client_id", "TEXT", placeholder="e.g. 104233")
CF_BUDGET = cf("Budget (ILS)", "budget", "NUMERICAL", placeholder="0")
CF_ROOMS = cf("מספר חדרים", "rooms", "NUMERICAL", placeholder="3.5")
CF_CITY = cf("עיר מועדפת", "preferred_city", "SINGLE_OPTIONS",
             options=[c[0] for c in IL_CITIES[:6]] + ["Other"])
CF_PTYPE = cf("Property Type", "property_type", "MULTIPLE_OPTIONS",
              options=["דירה", "פנטהאוז", "דירת גן", "קוטג'", "Office", "Land"])
CF_MORTGAGE = cf("Mortgage approved", "mortgage_approved", "CHECKBOX", options=["Yes"])
CF_MOVEIN = cf("Move-in date", "move_in_date", "DATE")
CF_AGENT = cf("Agent notes", "agent_notes", "LARGE_TEXT", placeholder="Free text")
CF_PREF = cf("Contact preference", "contact_preference", "RADIO", options=["WhatsApp", "Phone", "Email"])
cf("Deal commission", "deal_commission", "MONETORY", model="opportunity")
cf("Closing date", "closing_date", "DATE", model="opportunity")
cf("Deal stage note", "deal_stage_note", "TEXT", model="opportunity")


def il_mobile():
    return "+9725%d%07d" % (rng.choice([0, 2, 3, 4, 8]), rng.randrange(10**7))


def il_landline():
    return "+972%d%07d" % (rng.choice([2, 3, 4, 8, 9]), rng.randrange(10**7))


def us_phone():
    return "+1%d%03d%04d" % (rng.choice([212, 305, 310, 312, 512, 617, 201]), rng.randrange(200, 999), rng.randrange(10**4))


def dnd_settings(on):
    if not on and rng.random() < 0.7:
        return None
    chans = ["Call", "Email", "SMS", "WhatsApp", "GMB", "FB"]
    d = {}
    for ch in chans:
        if on:
            st = rng.choice(["active", "active", "permanent"]) if rng.random() < 0.7 else "inactive"
        else:
            st = "inactive"
        item = {"status": st}
        if st != "inactive":
            item["message"] = rng.choice(["Requested by contact", "Updated by user", "STOP received"])
            item["code"] = rng.choice(["", "30007", "21610"])
        d[ch] = item
    return d


def attribution():
    return rng.choice([
        {"sessionSource": "CRM UI", "medium": "manual", "mediumId": None},
        {"url": "https://example-realty.co.il/listings", "campaign": None, "utmSource": "facebook",
         "utmMedium": "cpc", "utmContent": None, "referrer": "https://www.facebook.com/",
         "campaignId": None, "fbclid": "IwAR0" + gid(), "gclid": None, "msclikid": None, "dclid": None,
         "fbc": None, "fbp": None, "fbEventId": None, "userAgent": "Mozilla/5.0", "ip": "203.0.113.%d" % rng.randrange(1, 254),
         "medium": "form", "mediumId": gid(), "sessionSource": "Paid Social"},
        {"url": "https://www.yad2.co.il/", "medium": "api", "mediumId": None, "sessionSource": "Third Party"},
    ])


def custom_values(kind):
    vals = []
    if rng.random() < 0.8:
        vals.append({"id": CF_BMBY_ID["id"], "value": str(rng.randrange(100000, 199999))})
    if rng.random() < 0.6:
        vals.append({"id": CF_BUDGET["id"], "value": rng.randrange(8, 120) * 50000})
    if rng.random() < 0.5:
        vals.append({"id": CF_ROOMS["id"], "value": rng.choice([2, 2.5, 3, 3.5, 4, 4.5, 5, 6])})
    if kind != "en" and rng.random() < 0.5:
        vals.append({"id": CF_CITY["id"], "value": rng.choice(CF_CITY["picklistOptions"])})
    if rng.random() < 0.4:
        vals.append({"id": CF_PTYPE["id"], "value": rng.sample(CF_PTYPE["picklistOptions"], rng.randrange(1, 3))})
    if rng.random() < 0.3:
        vals.append({"id": CF_MORTGAGE["id"], "value": ["Yes"]})
    if rng.random() < 0.3:
        d = NOW + timedelta(days=rng.randrange(-60, 300))
        # DATE custom fields read back as epoch-ms numbers (UNCONFIRMED; clients must tolerate both)
        vals.append({"id": CF_MOVEIN["id"], "value": int(datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp() * 1000)})
    if rng.random() < 0.25:
        vals.append({"id": CF_AGENT["id"], "value": rng.choice([
            "מחפשים דירת 4 חדרים עם מעלית וחניה.\nגמישים בכניסה.",
            "Wants sea view, budget flexible.\nCall after 18:00 only.",
            "לקוח חוזר — קנה דרכנו ב-2019.\nמעדיף וואטסאפ.",
        ])})
    if rng.random() < 0.4:
        vals.append({"id": CF_PREF["id"], "value": rng.choice(CF_PREF["picklistOptions"])})
    return vals


def when_added(i):
    # spread over the past ~2 years, newest first-ish, with jitter
    base = NOW - timedelta(days=730 * (i + 1) / (N_CONTACTS + 2))
    return base - timedelta(seconds=rng.randrange(0, 20000), milliseconds=rng.randrange(1000))


def make_contact(i, kind, first=None, last=None, cid=None):
    added = when_added(i)
    r = rng.random()
    updated = added if r < 0.25 else min(NOW - timedelta(minutes=5), added + timedelta(days=rng.randrange(0, 400), seconds=rng.randrange(86400), milliseconds=rng.randrange(1000)))
    c = {"id": cid or gid(), "locationId": LOCATION_ID}
    email_local = None
    if kind == "he":
        (fh, fl), (lh, ll) = rng.choice(HEB_FIRST), rng.choice(HEB_LAST)
        first, last = first or fh, last or lh
        email_local = "%s.%s" % (fl, ll)
    elif kind == "en":
        f, l = rng.choice(EN_FIRST), rng.choice(EN_LAST)
        first, last = first or f, last or l
        email_local = "%s.%s" % (f.lower(), l.lower().replace("'", ""))
    elif kind == "mixed":
        if rng.random() < 0.5:
            first, last = rng.choice(EN_FIRST), rng.choice(HEB_LAST)[0]
            email_local = first.lower() + str(rng.randrange(10, 99))
        else:
            first, last = rng.choice(HEB_FIRST)[0], rng.choice(EN_LAST)
            email_local = last.lower().replace("'", "") + str(rng.randrange(10, 99))
    else:  # hostile: names given
        email_local = "contact%d" % i
    if last == "":
        last = None
    name = " ".join(x for x in [first, last] if x)
    c["name"] = name
    c["contactName"] = name
    if first is not None:
        c["firstName"] = first
        c["firstNameLowerCase"] = first.lower()
    if last is not None:
        c["lastName"] = last
        c["lastNameLowerCase"] = last.lower()
    c["fullNameLowerCase"] = name.lower()
    if rng.random() < 0.92:
        dom = rng.choice(["gmail.com", "walla.co.il", "yahoo.com", "outlook.com", "bezeqint.net"] if kind != "en" else ["gmail.com", "yahoo.com", "icloud.com", "outlook.com"])
        email = "%s%s@%s" % (email_local, "" if rng.random() < 0.6 else str(rng.randrange(1, 999)), dom)
        if rng.random() < 0.05:
            email = email.capitalize()  # stored as typed; emailLowerCase is the lowered form
        c["email"] = email
        c["emailLowerCase"] = email.lower()
        c["validEmail"] = rng.random() < 0.95
    if kind == "en":
        city, state, postal, tz = rng.choice(US_CITIES)
        c["timezone"] = tz
        phone = us_phone()
        country = "US"
        addr = "%d %s" % (rng.randrange(1, 9999), rng.choice(US_STREETS))
    else:
        ch, ce, postal = rng.choice(IL_CITIES)
        city = ch if rng.random() < 0.7 else ce
        state = rng.choice(["מחוז תל אביב", "Center District", ""]) if rng.random() < 0.3 else None
        c["timezone"] = "Asia/Jerusalem"
        phone = il_mobile() if rng.random() < 0.85 else il_landline()
        country = "IL"
        addr = "%s %d" % (rng.choice(IL_STREETS), rng.randrange(1, 180))
        if rng.random() < 0.3:
            addr += " דירה %d" % rng.randrange(1, 40)
    if rng.random() < 0.9:
        c["phone"] = phone
        c["phoneLabel"] = rng.choice(["Mobile", "Mobile", "Home", "Work"])
    if rng.random() < 0.3:
        c["companyName"] = rng.choice(COMPANIES_EN if kind == "en" else COMPANIES_HE + COMPANIES_EN)
    dnd = rng.random() < 0.08
    c["dnd"] = dnd
    ds = dnd_settings(dnd)
    if ds is not None:
        c["dndSettings"] = ds
        c["inboundDndSettings"] = {"all": {"status": "active" if dnd else "inactive", "message": ""}}
    c["type"] = "customer" if rng.random() < 0.15 else "lead"
    c["source"] = rng.choice(SOURCES)
    if rng.random() < 0.7:
        c["assignedTo"] = rng.choice(USERS)
    if rng.random() < 0.85:
        c["address1"] = addr
        c["city"] = city
        if state:
            c["state"] = state
        c["postalCode"] = postal
    c["country"] = country
    if rng.random() < 0.1:
        c["website"] = "https://%s.example.com" % email_local.replace(".", "-")
    ntags = rng.choice([0, 1, 1, 2, 2, 3, 4])
    c["tags"] = sorted(set(rng.sample(TAGS_COMMON, ntags)))
    if rng.random() < 0.35:
        dob = datetime(rng.randrange(1950, 2003), rng.randrange(1, 13), rng.randrange(1, 29))
        # GET returns dateOfBirth as a date-ish string; most "YYYY-MM-DD", a few full ISO
        c["dateOfBirth"] = dob.strftime("%Y-%m-%d") if rng.random() < 0.8 else dob.strftime("%Y-%m-%dT00:00:00.000Z")
    c["dateAdded"] = iso(added)
    c["dateUpdated"] = iso(updated)
    if rng.random() < 0.6:
        c["lastActivity"] = iso(updated + (NOW - updated) * rng.random() * 0.5)
    c["customFields"] = custom_values(kind)
    if rng.random() < 0.15 and "email" in c:
        c["additionalEmails"] = [{"email": "%s.alt%d@gmail.com" % (email_local, rng.randrange(1, 99))}]
    if rng.random() < 0.1:
        c["additionalPhones"] = [{"phone": il_mobile() if kind != "en" else us_phone(), "phoneLabel": "Work"}]
    c["followers"] = rng.sample(USERS, rng.randrange(0, 2))
    c["attributionSource"] = attribution()
    if rng.random() < 0.4:
        c["lastAttributionSource"] = attribution()
    if rng.random() < 0.2:
        c["visitorId"] = gid()
    if rng.random() < 0.05:
        c["ssn"] = ""
    if rng.random() < 0.1:
        c["keyword"] = rng.choice(["penthouse", "דירה", "rent"])
    if rng.random() < 0.1:
        c["businessId"] = "%024x" % rng.getrandbits(96)
    return c


HOSTILE = [
    # (fixed id, firstName, lastName, position by dateAdded index: small = recent)
    ("hostileEscOsc0000001", "Eve\u001b]0;pwned\u0007", "Evil", 3),
    ("hostileCsi0000000002", "Mallory\u001b[2J\u001b[H\u001b[31m", "Red", 40),
    ("hostileBidi000000003", "\u202eAlice", "gnp.exe\u202c", 9),
    ("hostileZwj0000000004", "Zo\u200de", "👨\u200d👩\u200d👧 Family", 70),
    ("hostileLong000000005", "Bartholomew-Maximilian-" * 6 + "Jr", "Wolfeschlegelsteinhausenbergerdorff" * 4, 120),
    ("hostileCjk0000000006", "王小明", "田中太郎", 15),
    ("hostileEmoji00000007", "🏠 Dana", "Realtor 🔥🔥", 200),
    ("hostileCtrl000000008", "Line1\nLine2\rTab\there", "Null\u0000Byte", 260),
    ("hostileZalgo00000009", "Z\u0336\u0357a\u0337\u0351l\u0335\u0352g\u0334\u0350o\u0338", "נ\u05b0ח\u05b7מ\u05b4ין", 300),
]
hostile_pos = {pos: h for h in HOSTILE for pos in [h[3]]}


def main():
    out = os.path.dirname(os.path.abspath(__file__))
    contacts = []
    for i in range(N_CONTACTS):
        if i in hostile_pos:
            hid, f, l, _ = hostile_pos[i]
            contacts.append(make_contact(i, "hostile", f, l, hid))
            continue
        r = rng.random()
        kind = "he" if r < 0.5 else ("en" if r < 0.9 else "mixed")
        contacts.append(make_contact(i, kind))
    # a couple of sparse contacts (phone only / email only), as GHL allows
    for c in (contacts[57], contacts[333]):
        for k in ["firstName", "firstNameLowerCase", "lastName", "lastNameLowerCase", "email", "emailLowerCase", "validEmail"]:
            c.pop(k, None)
        c["name"] = c["contactName"] = c["fullNameLowerCase"] = ""
        c["phone"] = il_mobile()

    by_added = sorted(contacts, key=lambda c: (c["dateAdded"], c["id"]), reverse=True)
    alive = {c["id"] for c in by_added[:TOP_ALIVE]}

    task_titles = ["להתקשר בחזרה", "לשלוח הצעת מחיר", "לתאם סיור בנכס", "Follow up on financing",
                   "Send listing brochure", "לבדוק אישור משכנתא", "Collect signed offer", "לעדכן ב-Bmby"]
    task_bodies = ["", "ביקש שנחזור אחרי החגים.", "Client asked for 3 comparable listings.",
                   "לשאול לגבי חניה ומחסן.\nלבדוק תאריך כניסה.", "Reminder from Bmby sync"]
    note_bodies = [
        "שיחה ראשונה: מחפשים 4 חדרים באזור המרכז.\nתקציב עד 3.2 מיליון.\nלחזור ביום ראשון.",
        "Met at open house.\nInterested in the garden apartment on Herzl St.",
        "הלקוח ביקש לא להתקשר בשבת.",
        "Called, no answer. Left voicemail.",
        "סיכום פגישה:\n- ראה 3 נכסים\n- אהב את הפנטהאוז ברוטשילד\n- צריך אישור משכנתא",
        "Offer submitted: ₪2,950,000.\nWaiting for seller response.",
    ]
    appt_titles = ["סיור בנכס", "Property viewing", "פגישת היכרות", "Signing meeting", "שמאות"]
    tasks, notes, appts = [], [], []
    for c in by_added:
        cid = c["id"]
        added = datetime.strptime(c["dateAdded"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        lo = 1 if cid in alive else 0
        for _ in range(rng.randrange(lo, 4)):
            due = added + timedelta(days=rng.randrange(1, 500), hours=rng.randrange(24))
            due = due.replace(minute=rng.choice([0, 30]), second=0, microsecond=0)
            tasks.append({"id": gid(), "title": rng.choice(task_titles), "body": rng.choice(task_bodies),
                          "assignedTo": rng.choice(USERS), "dueDate": iso(due),
                          "completed": due < NOW and rng.random() < 0.7, "contactId": cid})
        for _ in range(rng.randrange(lo, 4)):
            t = min(NOW, added + timedelta(days=rng.randrange(0, 300), seconds=rng.randrange(86400), milliseconds=rng.randrange(1000)))
            n = {"id": gid(), "body": rng.choice(note_bodies), "userId": rng.choice(USERS), "dateAdded": iso(t), "contactId": cid}
            if rng.random() < 0.6:  # newer servers also return title/color/pinned
                n["title"] = rng.choice(["סיכום שיחה", "Follow-up summary", "", "פגישה"])
                n["color"] = rng.choice(["#FFAA00", "#4CAF50", "#2196F3", ""])
                n["pinned"] = rng.random() < 0.15
            notes.append(n)
        for _ in range(rng.randrange(lo, 4)):
            start = added + timedelta(days=rng.randrange(1, 500))
            start = start.replace(hour=rng.randrange(8, 19), minute=rng.choice([0, 15, 30, 45]), second=0, microsecond=0)
            end = start + timedelta(minutes=rng.choice([30, 45, 60]))
            status = rng.choice(["confirmed", "booked", "cancelled", "showed", "noshow"]) if start < NOW else rng.choice(["confirmed", "booked", "new"])
            user = rng.choice(USERS)
            created = min(start - timedelta(days=rng.randrange(1, 14)), NOW)
            appts.append({
                "id": gid(), "calendarId": rng.choice(CALENDARS), "status": status,
                "title": "%s - %s" % (rng.choice(appt_titles), c.get("name") or "ללא שם"),
                "assignedUserId": user, "notes": rng.choice(["", "להביא תוכניות", "Bring pre-approval letter"]),
                "startTime": naive(start), "endTime": naive(end),
                "address": c.get("address1", "") + (", " + c["city"] if c.get("city") else ""),
                "locationId": LOCATION_ID, "contactId": cid, "groupId": gid(),
                "appointmentStatus": status, "users": [user],
                "dateAdded": naive(created), "dateUpdated": naive(created + timedelta(hours=rng.randrange(0, 48))),
                "assignedResources": [],
            })

    def dump(name, data):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.write("\n")

    dump("ghl_contacts.json", contacts)
    dump("ghl_tasks.json", tasks)
    dump("ghl_notes.json", notes)
    dump("ghl_appointments.json", appts)
    dump("ghl_custom_fields.json", CF)
    heb = sum(1 for c in contacts if any("\u0590" <= ch <= "\u05ff" for ch in c.get("name", "")))
    print("contacts=%d hebrew=%d hostile=%d tasks=%d notes=%d appointments=%d customFields=%d" % (
        len(contacts), heb, len(HOSTILE), len(tasks), len(notes), len(appts), len(CF)))


if __name__ == "__main__":
    main()

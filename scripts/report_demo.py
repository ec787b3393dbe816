#!/usr/bin/env python3
"""Writes a made-up council history (JSON lines) for the README's report screenshot.

Eight weeks of messages to the bundled example council (examples/council): questions
its rules answer, some nothing answers (street lights, a food bank, a library app), and
in the last week a new topic (a cycle lane on the high street) that rises.

    python3 scripts/report_demo.py > /tmp/demo.jsonl
    replykit report examples/council /tmp/demo.jsonl --html docs/report.html
    chromium --headless --screenshot=docs/report.png --window-size=1000,1500 docs/report.html
"""
import datetime
import json
import random

ANSWERED = [
    "when is my bin collected?", "my bin wasn't emptied again", "how do I pay my council tax",
    "can I get a single person discount on council tax", "how do I renew my parking permit",
    "there's a huge pothole on Station Road", "when does the library open",
    "how do I register a birth", "I can smell gas in the street", "my recycling was missed",
]
UNANSWERED = {
    "street lights": ["the street light outside my house is broken", "street lights out on Mill Lane",
                      "broken street light by the school", "street light flickering all night on Park Road",
                      "who fixes broken street lights"],
    "food bank": ["where is the nearest food bank", "food bank opening times please",
                  "can I donate to the food bank at the town hall", "how do I get a food bank voucher"],
    "library app": ["the library app won't let me log in", "library app keeps crashing",
                    "can't renew books on the library app", "library app is down"],
    "allotments": ["how long is the waiting list for an allotment", "can I rent an allotment",
                   "allotment waiting list", "who do I ask about a council allotment"],
}
RISING = ["who approved the new cycle lane on the high street", "the high street cycle lane is causing traffic jams",
          "cycle lane on the high street is a waste of money", "why was nobody consulted about the cycle lane",
          "the new cycle lane makes the high street dangerous"]
CHANNELS = ["twitter", "twitter", "facebook", "email", "webchat"]
OPENINGS = ["", "", "hi, ", "hello ", "@council ", "please help: ", "quick question - "]
ENDINGS = ["", "", "?", "!", " please", " thanks", " again", " - very annoying"]

r = random.Random(4)
start = datetime.datetime(2026, 10, 5, tzinfo=datetime.timezone.utc)
for day in range(56):
    for _ in range(r.randint(25, 40)):
        t = start + datetime.timedelta(days=day, seconds=r.randrange(7 * 3600, 23 * 3600))
        roll = r.random()
        if day >= 49 and roll < 0.25:
            text = r.choice(RISING)
        elif roll < 0.55:
            text = r.choice(ANSWERED)
        else:
            text = r.choice(r.choice(list(UNANSWERED.values())))
        text = r.choice(OPENINGS) + text + r.choice(ENDINGS)
        print(json.dumps({"text": text, "channel": r.choice(CHANNELS),
                          "received_at": t.strftime("%Y-%m-%dT%H:%M:%SZ")}))

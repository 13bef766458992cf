"""A real SMTP server for the alert tests (aiosmtpd, from the test virtualenv).

Prints the port it listens on (127.0.0.1, chosen by the system), then one JSON line per message
it is given: the envelope, every header, the plain-text and HTML parts, and the reply it gave.
Each line on stdin, `reply 451 4.3.0 Try again later`, queues the answer to the next message
(250 when none is queued), and is acknowledged with a line `{"queued": "451 …"}`. It exits when stdin closes, so it never outlives its test.
"""

import asyncio
import json
import os
import sys
import threading
from email import policy
from email.parser import BytesParser

from aiosmtpd.smtp import SMTP

replies = []


class Recorder:
    async def handle_DATA(self, server, session, envelope):
        reply = replies.pop(0) if replies else "250 2.0.0 Accepted"
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        print(
            json.dumps(
                {
                    "reply": reply,
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "headers": [[name, str(value)] for name, value in message.items()],
                    "text": text.get_content() if text else None,
                    "html": html.get_content() if html else None,
                }
            ),
            flush=True,
        )
        return reply


def commands():
    for line in sys.stdin:
        if line.startswith("reply "):
            reply = line[len("reply ") :].strip()
            replies.append(reply)
            print(json.dumps({"queued": reply}), flush=True)
    os._exit(0)


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Recorder()), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    threading.Thread(target=commands, daemon=True).start()
    await server.serve_forever()


asyncio.run(main())

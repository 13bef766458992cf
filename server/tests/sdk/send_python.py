"""Sends one handled exception and one message to the DSN given as the first argument, through
the unmodified official Python SDK."""

import sys

import sentry_sdk


def divide(a, b):
    return a / b


def main(dsn):
    sentry_sdk.init(dsn=dsn, release="shop@1.0.0", environment="test", debug=True)
    try:
        divide(1, 0)
    except ZeroDivisionError:
        sentry_sdk.capture_exception()
    sentry_sdk.capture_message("Checkout took too long for order 4711", level="warning")
    sentry_sdk.flush(timeout=10)


if __name__ == "__main__":
    main(sys.argv[1])

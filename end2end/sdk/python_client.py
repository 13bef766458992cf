"""Sends real events through the unmodified official Python SDK.

Usage: python_client.py DSN SCENARIO, where SCENARIO is
  all           a handled exception (twice), a message (twice, other numbers), a chained
                exception, a transaction, an event dropped by before_send (a client report),
                and finally an unhandled exception that ends the process;
  rate_limited  three handled exceptions in a row.
"""

import sys

import sentry_sdk


def divide(a, b):
    return a / b


def load_order(orders, key):
    try:
        return orders[key]
    except KeyError as missing:
        raise ValueError(f"order {key} cannot be loaded") from missing


def drop_marked(event, hint):
    return None if event.get("tags", {}).get("drop") == "yes" else event


def all_scenarios():
    for _ in range(2):
        try:
            divide(1, 0)
        except ZeroDivisionError:
            sentry_sdk.capture_exception()
    for order in (4711, 815):
        sentry_sdk.capture_message(f"Checkout took too long for order {order}", level="warning")
    try:
        load_order({}, "A-17")
    except ValueError:
        sentry_sdk.capture_exception()
    with sentry_sdk.start_transaction(name="checkout", op="task"):
        with sentry_sdk.start_span(op="db", description="SELECT 1"):
            pass
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("drop", "yes")
        sentry_sdk.capture_message("this one is dropped by before_send")
    sentry_sdk.flush(timeout=10)
    raise RuntimeError("unhandled failure in the worker")


def rate_limited():
    for _ in range(3):
        try:
            divide(1, 0)
        except ZeroDivisionError:
            sentry_sdk.capture_exception()
        sentry_sdk.flush(timeout=10)


if __name__ == "__main__":
    dsn, scenario = sys.argv[1], sys.argv[2]
    sentry_sdk.init(
        dsn=dsn,
        release="shop@1.0.0",
        environment="test",
        traces_sample_rate=1.0,
        before_send=drop_marked,
        debug=True,
    )
    {"all": all_scenarios, "rate_limited": rate_limited}[scenario]()

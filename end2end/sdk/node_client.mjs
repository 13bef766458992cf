// Sends real events through the unmodified official @sentry/node SDK: a handled exception
// (twice), a message (twice, other numbers), a chained exception, a span, an event dropped by
// beforeSend (a client report), then an uncaught exception that ends the process.
// Usage: node node_client.mjs DSN

import * as Sentry from '@sentry/node';

const dsn = process.argv[2];
Sentry.init({
  dsn,
  release: 'shop@2.0.0',
  environment: 'test',
  tracesSampleRate: 1.0,
  beforeSend: (event) => (event.tags?.drop === 'yes' ? null : event),
});

function divide(a, b) {
  if (b === 0) throw new TypeError(`Cannot divide ${a} by zero`);
  return a / b;
}

function loadOrder(orders, key) {
  try {
    return orders[key].total;
  } catch (cause) {
    throw new Error(`order ${key} cannot be loaded`, { cause });
  }
}

for (const n of [3, 7]) {
  try {
    divide(n, 0);
  } catch (error) {
    Sentry.captureException(error);
  }
}
for (const order of [4711, 815]) {
  Sentry.captureMessage(`Checkout took too long for order ${order}`, 'warning');
}
try {
  loadOrder({}, 'A-17');
} catch (error) {
  Sentry.captureException(error);
}
Sentry.startSpan({ name: 'checkout', op: 'task' }, () => {});
Sentry.withScope((scope) => {
  scope.setTag('drop', 'yes');
  Sentry.captureMessage('this one is dropped by beforeSend');
});
await Sentry.flush(10_000);
setTimeout(() => {
  throw new RangeError('unhandled failure in the worker');
}, 0);

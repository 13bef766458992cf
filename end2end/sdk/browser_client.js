// The official @sentry/browser SDK, bundled with esbuild by the browser test and loaded by a page
// on another origin than Faultline, so every request is cross-origin. The test calls the
// scenarios on `window.scenarios`.

import * as Sentry from '@sentry/browser';

Sentry.init({
  dsn: new URLSearchParams(window.location.search).get('dsn'),
  release: 'shop@3.0.0',
  environment: 'test',
  tracesSampleRate: 1.0,
});

function divide(a, b) {
  if (b === 0) throw new RangeError(`Cannot divide ${a} by zero`);
  return a / b;
}

function loadOrder(orders, key) {
  try {
    return orders[key].total;
  } catch (cause) {
    throw new Error(`order ${key} cannot be loaded`, { cause });
  }
}

window.scenarios = {
  handled(n) {
    try {
      divide(n, 0);
    } catch (error) {
      Sentry.captureException(error);
    }
  },
  message(order) {
    Sentry.captureMessage(`Checkout took too long for order ${order}`, 'warning');
  },
  chained() {
    try {
      loadOrder({}, 'A-17');
    } catch (error) {
      Sentry.captureException(error);
    }
  },
  uncaught() {
    setTimeout(() => {
      throw new TypeError('unhandled failure in the page');
    }, 0);
  },
  rejection() {
    Promise.reject(new Error('unhandled rejection 99'));
  },
  span() {
    Sentry.startSpan({ name: 'checkout', op: 'ui.action' }, () => {});
  },
  flush() {
    return Sentry.flush(5000);
  },
};

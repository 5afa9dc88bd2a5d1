"""Archetypes the demo data is drawn from: per platform, the errors, performance problems and
feedback a real app of that kind sends to Sentry, with the code locations they happen in.

Plain data, so that `data.py` can combine it deterministically into varied but believable issues.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorKind:
    """An exception archetype; `value` and `code` are `str.format` templates over `SLOTS`."""

    exc_type: str
    value: str
    code: str
    level: str = "error"
    handled: bool = False
    mechanism: str = "onerror"


@dataclass(frozen=True)
class PerfKind:
    """A performance issue archetype (issue platform type, title, offending span)."""

    issue_type: str
    title: str
    evidence: str
    op: str


@dataclass(frozen=True)
class Location:
    """An in-app code location: file path, module, function; `culprit` is what Sentry shows."""

    path: str
    module: str
    function: str


SLOTS: dict[str, tuple[str, ...]] = {
    "prop": ("id", "length", "items", "price", "user", "name", "total", "status", "data", "currency"),
    "var": ("items", "orders", "lineItems", "results", "addresses", "invoices", "variants"),
    "n": ("117", "232", "418", "503", "664", "781", "912"),
    "hash": ("4f3a2b1c", "9e8d7c6b", "a1b2c3d4", "77e1f0aa", "0c4be2d9"),
    "status": ("400", "401", "404", "409", "422", "500", "502", "503"),
    "endpoint": (
        "/api/cart/",
        "/api/orders/",
        "/api/products/",
        "/api/session/",
        "/api/invoices/",
        "/api/search/",
        "/api/shipping/rates/",
        "/api/payments/intent/",
    ),
    "name": ("gtag", "Stripe", "dataLayer", "Intercom", "google", "hj", "analytics"),
    "key": ("order_id", "customer", "sku", "currency", "shipping_address", "line_items", "tax_rate"),
    "attr": ("email", "pk", "items", "total", "customer_id", "get", "strip"),
    "model": ("Order", "Customer", "Invoice", "Product", "Coupon", "ShippingZone"),
    "table": ("orders_order", "billing_invoice", "accounts_user", "catalog_product"),
    "service": ("payments-gateway", "inventory", "tax-service", "redis", "search"),
    "host": ("api.stripe.com", "hooks.slack.com", "api.taxjar.com", "search.acme.internal"),
    "addr": ("0000000000000010", "00000001a4c3b2d8", "0000000000000008", "000000016f2e1c40"),
    "index": ("3", "5", "8", "12"),
    "field": ("email", "quantity", "postal_code", "card_number"),
    "seconds": ("5", "10", "30", "60"),
}

JS_ERRORS: tuple[ErrorKind, ...] = (
    ErrorKind(
        "TypeError", "Cannot read properties of undefined (reading '{prop}')", "  const value = {var}[0].{prop};"
    ),
    ErrorKind(
        "TypeError", "{var}.map is not a function", "  return {var}.map((item) => <Row key={{item.id}} {{...item}} />);"
    ),
    ErrorKind(
        "ChunkLoadError",
        "Loading chunk {n} failed.",
        "  return import(/* webpackChunkName: \"route-{n}\" */ './routes');",
        handled=True,
        mechanism="generic",
    ),
    ErrorKind(
        "AxiosError",
        "Request failed with status code {status}",
        "  const response = await client.get('{endpoint}');",
        handled=True,
        mechanism="generic",
    ),
    ErrorKind("ReferenceError", "{name} is not defined", "  {name}('event', 'purchase', payload);"),
    ErrorKind(
        "SyntaxError",
        "Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON",
        "  const body = await response.json();",
    ),
    ErrorKind("RangeError", "Maximum call stack size exceeded", "  return normalize({var}, depth + 1);"),
    ErrorKind(
        "Error",
        "Minified React error #{n}; visit https://react.dev/errors/{n} for the full message",
        "  root.render(<App />);",
    ),
    ErrorKind(
        "TypeError",
        "Failed to fetch",
        "  const res = await fetch('{endpoint}', options);",
        handled=True,
        mechanism="generic",
    ),
    ErrorKind(
        "NotAllowedError",
        "play() failed because the user didn't interact with the document first.",
        "  videoRef.current.play();",
        level="warning",
        handled=True,
        mechanism="generic",
    ),
    ErrorKind(
        "QuotaExceededError",
        "Failed to execute 'setItem' on 'Storage': Setting the value of '{key}' exceeded the quota.",
        "  localStorage.setItem('{key}', JSON.stringify(state));",
        level="warning",
    ),
)

PY_ERRORS: tuple[ErrorKind, ...] = (
    ErrorKind("KeyError", "'{key}'", "    value = payload['{key}']", mechanism="django"),
    ErrorKind(
        "ValueError",
        "invalid literal for int() with base 10: '{field}'",
        "    quantity = int(request.data['{field}'])",
        mechanism="django",
    ),
    ErrorKind(
        "AttributeError", "'NoneType' object has no attribute '{attr}'", "    return obj.{attr}", mechanism="django"
    ),
    ErrorKind(
        "IntegrityError",
        'duplicate key value violates unique constraint "{table}_pkey"',
        "    instance.save(force_insert=True)",
        mechanism="django",
    ),
    ErrorKind(
        "OperationalError",
        "could not connect to server: Connection refused",
        "    cursor.execute(sql, params)",
        level="fatal",
        mechanism="django",
    ),
    ErrorKind(
        "DoesNotExist",
        "{model} matching query does not exist.",
        "    obj = {model}.objects.get(pk=pk)",
        mechanism="django",
    ),
    ErrorKind(
        "TimeoutError",
        "Timed out waiting for {service} after {seconds}s",
        "    return client.call('{service}', timeout={seconds})",
        mechanism="generic",
    ),
    ErrorKind(
        "ConnectionError",
        "HTTPSConnectionPool(host='{host}', port=443): Max retries exceeded with url: /v1/charges",
        "    response = session.post(url, json=body, timeout=10)",
        handled=True,
        mechanism="logging",
    ),
    ErrorKind("ZeroDivisionError", "division by zero", "    ratio = total / count"),
)

WORKER_ERRORS: tuple[ErrorKind, ...] = (
    *PY_ERRORS[:3],
    PY_ERRORS[5],
    PY_ERRORS[6],
    PY_ERRORS[7],
    ErrorKind(
        "SoftTimeLimitExceeded", "SoftTimeLimitExceeded()", "    for row in queryset.iterator():", mechanism="celery"
    ),
    ErrorKind(
        "Retry",
        "Retry in {seconds}s: ConnectionResetError(104, 'Connection reset by peer')",
        "    raise self.retry(exc=exc, countdown={seconds})",
        level="warning",
        handled=True,
        mechanism="celery",
    ),
)

IOS_ERRORS: tuple[ErrorKind, ...] = (
    ErrorKind(
        "EXC_BAD_ACCESS",
        "KERN_INVALID_ADDRESS at 0x{addr}",
        "        cell.configure(with: items[indexPath.row])",
        level="fatal",
        mechanism="mach",
    ),
    ErrorKind(
        "NSInvalidArgumentException",
        "-[__NSCFString objectForKey:]: unrecognized selector sent to instance 0x{addr}",
        '        let value = payload.object(forKey: "{key}")',
        level="fatal",
        mechanism="nsexception",
    ),
    ErrorKind(
        "Fatal error",
        "Unexpectedly found nil while unwrapping an Optional value",
        "        let order = store.currentOrder!",
        level="fatal",
        mechanism="signal",
    ),
    ErrorKind(
        "NSRangeException",
        "*** -[__NSArrayM objectAtIndex:]: index {index} beyond bounds [0 .. 2]",
        "        return sections[{index}]",
        level="fatal",
        mechanism="nsexception",
    ),
    ErrorKind(
        "App Hanging",
        "App hanging for at least 2000 ms.",
        "        let data = try Data(contentsOf: cacheURL)",
        mechanism="AppHang",
    ),
    ErrorKind(
        "URLError",
        "The request timed out. (NSURLErrorDomain -1001)",
        "        let (data, _) = try await session.data(for: request)",
        handled=True,
        mechanism="generic",
    ),
    ErrorKind(
        "DecodingError",
        'keyNotFound(CodingKeys(stringValue: "{key}", intValue: nil))',
        "        return try decoder.decode(Order.self, from: data)",
        handled=True,
        mechanism="generic",
    ),
)

ERRORS: dict[str, tuple[ErrorKind, ...]] = {
    "web": JS_ERRORS,
    "api": PY_ERRORS,
    "worker": WORKER_ERRORS,
    "ios": IOS_ERRORS,
}

LOCATIONS: dict[str, tuple[Location, ...]] = {
    "web": tuple(
        Location(f"./src/{path}", f"src/{path.rsplit('.', 1)[0]}", fn)
        for path, fn in (
            ("components/Checkout/CheckoutForm.tsx", "CheckoutForm"),
            ("components/Cart/CartSummary.tsx", "CartSummary"),
            ("components/Catalog/ProductGrid.tsx", "ProductGrid"),
            ("components/Search/SearchBar.tsx", "handleSubmit"),
            ("components/Account/OrderHistory.tsx", "OrderHistory"),
            ("components/Payments/PaymentModal.tsx", "confirmPayment"),
            ("components/Billing/InvoiceTable.tsx", "InvoiceTable"),
            ("pages/Dashboard.tsx", "Dashboard"),
            ("hooks/useCart.ts", "useCart"),
            ("lib/api.ts", "request"),
            ("lib/analytics.ts", "trackEvent"),
            ("lib/storage.ts", "persistState"),
        )
    ),
    "api": tuple(
        Location(f"{mod.replace('.', '/')}.py", mod, fn)
        for mod, fn in (
            ("orders.views", "create_order"),
            ("orders.views", "cancel_order"),
            ("orders.serializers", "validate"),
            ("billing.services", "charge_card"),
            ("billing.services", "refund_payment"),
            ("accounts.views", "login"),
            ("accounts.views", "reset_password"),
            ("catalog.views", "product_detail"),
            ("catalog.search", "search_products"),
            ("shipping.rates", "quote"),
        )
    ),
    "worker": tuple(
        Location(f"{mod.replace('.', '/')}.py", mod, fn)
        for mod, fn in (
            ("tasks.billing", "charge_invoice"),
            ("tasks.billing", "sync_stripe_customers"),
            ("tasks.email", "send_receipt"),
            ("tasks.email", "send_weekly_digest"),
            ("tasks.exports", "export_orders_csv"),
            ("tasks.search", "reindex_products"),
            ("tasks.inventory", "sync_stock_levels"),
        )
    ),
    "ios": tuple(
        Location(f"AcmeShop/{path}", "AcmeShop", fn)
        for path, fn in (
            ("Checkout/CheckoutViewController.swift", "CheckoutViewController.viewDidLoad()"),
            ("Cart/CartStore.swift", "CartStore.apply(_:)"),
            ("Catalog/ProductListView.swift", "ProductListView.body.getter"),
            ("Networking/APIClient.swift", "APIClient.send(_:)"),
            ("Support/ImageCache.swift", "ImageCache.load(_:)"),
            ("Orders/OrderDetailView.swift", "OrderDetailView.loadOrder()"),
        )
    ),
}

PERFORMANCE: dict[str, tuple[PerfKind, ...]] = {
    "web": (
        PerfKind(
            "performance_render_blocking_asset_span",
            "Large Render Blocking Asset",
            "https://cdn.acme.example/static/css/main.{hash}.css",
            "resource.link",
        ),
        PerfKind("performance_consecutive_http", "Consecutive HTTP", "GET {endpoint}", "http.client"),
        PerfKind("performance_n_plus_one_api_calls", "N+1 API Call", "GET {endpoint}*", "http.client"),
        PerfKind("performance_large_http_payload", "Large HTTP payload", "GET {endpoint}", "http.client"),
    ),
    "api": (
        PerfKind(
            "performance_n_plus_one_db_queries",
            "N+1 Query",
            'SELECT "{table}"."id" FROM "{table}" WHERE "{table}"."order_id" = %s',
            "db",
        ),
        PerfKind(
            "performance_slow_db_query",
            "Slow DB Query",
            'SELECT * FROM "{table}" WHERE "created" > %s ORDER BY "created" DESC',
            "db",
        ),
        PerfKind(
            "performance_consecutive_db_queries", "Consecutive DB Queries", 'SELECT COUNT(*) FROM "{table}"', "db"
        ),
    ),
    "worker": (
        PerfKind(
            "performance_slow_db_query",
            "Slow DB Query",
            'UPDATE "{table}" SET "synced" = true WHERE "id" IN (%s)',
            "db",
        ),
        PerfKind(
            "performance_n_plus_one_db_queries",
            "N+1 Query",
            'SELECT "{table}"."id" FROM "{table}" WHERE "{table}"."customer_id" = %s',
            "db",
        ),
    ),
    "ios": (
        PerfKind("performance_file_io_main_thread", "File IO on Main Thread", "Cache/products.json", "file.read"),
        PerfKind("performance_db_main_thread", "DB on Main Thread", "SELECT * FROM orders", "db.sql.query"),
    ),
}

TRANSACTIONS: dict[str, tuple[str, ...]] = {
    "web": ("/checkout", "/cart", "/products/:slug", "/account/orders", "/search", "/invoices/:id"),
    "api": ("/api/orders/", "/api/orders/{order_id}/", "/api/products/", "/api/invoices/", "/api/search/"),
    "worker": ("tasks.billing.charge_invoice", "tasks.exports.export_orders_csv", "tasks.inventory.sync_stock_levels"),
    "ios": ("CheckoutViewController", "ProductListView", "OrderDetailView"),
}

FEEDBACK: tuple[str, ...] = (
    "The checkout button does nothing on Safari",
    "I was charged twice for my last order",
    "Search shows no results for 'running shoes'",
    "The app closes when I open my orders",
    "Can't update my shipping address, the form just spins",
    "Invoice page text is unreadable in dark mode",
    "Payment page keeps loading forever",
    "Promo code field rejects valid codes",
    "Product images don't load on slow connections",
    "Order confirmation email never arrived",
)

CSP_HOSTS: tuple[str, ...] = (
    "cdn.trackly.io",
    "widgets.chatbuddy.net",
    "ads.example-network.com",
    "fonts.unknown-cdn.org",
    "evil-inject.example",
)

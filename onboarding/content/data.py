"""The company's data files: the product catalog and the price list, validated."""
from datetime import date
from decimal import Decimal, InvalidOperation

import yaml

from .model import Catalog, Competitor, Problem, Product
from .pricing import PaymentTerm, PriceList, Tier
from .yamlutil import key_line, read_yaml

PRODUCT_FIELDS = {
    "sku": str, "name": str, "category": str, "profitability": int, "summary": str, "specs": dict,
    "packaging": str, "stock": (int, type(None)), "lead_time_in_stock_days": int,
    "lead_time_out_of_stock_days": int, "conditions_of_use": str, "options": list, "alternatives": list,
    "competitors": list,
}
OPTIONAL_PRODUCT_FIELDS = {"pack_size": int}


def load_catalog(path, rel, problems) -> Catalog | None:
    text, data = read_yaml(path, rel, problems)
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("products"), list):
        problems.append(Problem(rel, 1, "the catalog needs a list `products`"))
        return None
    as_of = data.get("stock_as_of")
    if not isinstance(as_of, date):
        problems.append(Problem(rel, key_line(text, "stock_as_of"), "`stock_as_of` must be a date (YYYY-MM-DD)"))
        as_of = date.min
    products = {}
    for raw in data["products"]:
        line = key_line(text, "sku", raw.get("sku") if isinstance(raw, dict) else None)
        product = _product(raw, rel, line, problems)
        if product is None:
            continue
        if product.sku in products:
            problems.append(Problem(rel, line, f"duplicate SKU {product.sku}"))
        products[product.sku] = product
    for product in products.values():
        line = key_line(text, "sku", product.sku)
        for ref in product.options + product.alternatives:
            if ref not in products:
                problems.append(Problem(rel, line, f"{product.sku} refers to unknown SKU {ref}"))
    return Catalog(as_of, str(data.get("warehouse", "")), products)


def _product(raw, rel, line, problems) -> Product | None:
    if not isinstance(raw, dict):
        problems.append(Problem(rel, line, "each product must be a mapping of fields"))
        return None
    ok = True
    for name, kind in PRODUCT_FIELDS.items():
        if name not in raw:
            problems.append(Problem(rel, line, f"product {raw.get('sku', '?')}: missing field `{name}`"))
            ok = False
        elif not isinstance(raw[name], kind) or isinstance(raw[name], bool):
            problems.append(Problem(rel, line, f"product {raw.get('sku', '?')}: `{name}` has the wrong type"))
            ok = False
    for name in set(raw) - set(PRODUCT_FIELDS) - set(OPTIONAL_PRODUCT_FIELDS):
        problems.append(Problem(rel, line, f"product {raw.get('sku', '?')}: unknown field `{name}`"))
        ok = False
    pack = raw.get("pack_size", 1)
    if not isinstance(pack, int) or pack < 1:
        problems.append(Problem(rel, line, f"product {raw.get('sku', '?')}: `pack_size` must be a whole number >= 1"))
        ok = False
    if not ok:
        return None
    competitors = []
    for c in raw["competitors"]:
        if not isinstance(c, dict) or not {"name", "comparison"} <= set(c):
            problems.append(Problem(rel, line, f"product {raw['sku']}: each competitor needs `name` and `comparison`"))
            return None
        competitors.append(Competitor(str(c["name"]), str(c["comparison"])))
    return Product(
        sku=raw["sku"], name=raw["name"], category=raw["category"], profitability=raw["profitability"],
        summary=raw["summary"], specs=tuple((str(k), str(v)) for k, v in raw["specs"].items()),
        packaging=raw["packaging"], pack_size=pack, stock=raw["stock"],
        lead_time_in_stock_days=raw["lead_time_in_stock_days"],
        lead_time_out_of_stock_days=raw["lead_time_out_of_stock_days"],
        conditions_of_use=raw["conditions_of_use"], options=tuple(map(str, raw["options"])),
        alternatives=tuple(map(str, raw["alternatives"])), competitors=tuple(competitors),
    )


def _decimal(value):
    if isinstance(value, bool):
        raise InvalidOperation
    return Decimal(str(value))


def load_price_list(path, rel, catalog, problems) -> PriceList | None:
    text, data = read_yaml(path, rel, problems)
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.append(Problem(rel, 1, "the price list must be a mapping"))
        return None
    start = len(problems)
    prices = {}
    for sku, value in (data.get("prices") or {}).items():
        try:
            prices[str(sku)] = _decimal(value)
            if prices[str(sku)] <= 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            problems.append(Problem(rel, key_line(text, sku), f"price of {sku} must be a positive number"))
    if not prices:
        problems.append(Problem(rel, key_line(text, "prices"), "`prices` must map SKUs to prices"))
    if catalog is not None:
        for sku in prices:
            if sku not in catalog.products:
                problems.append(Problem(rel, key_line(text, sku), f"price for unknown SKU {sku}"))
        for sku in catalog.products:
            if sku not in prices:
                problems.append(Problem(rel, key_line(text, "prices"), f"no price for {sku} (in the catalog)"))
    tiers = []
    for raw in data.get("volume_tiers") or []:
        try:
            tiers.append(Tier(int(raw["min_quantity"]), _decimal(raw["discount_percent"])))
        except (KeyError, TypeError, ValueError, InvalidOperation):
            problems.append(Problem(rel, key_line(text, "volume_tiers"),
                                    "each volume tier needs `min_quantity` and `discount_percent`"))
    if [t.min_quantity for t in tiers] != sorted({t.min_quantity for t in tiers}):
        problems.append(Problem(rel, key_line(text, "volume_tiers"), "volume tiers must rise in `min_quantity`"))
    if any(not 0 <= t.discount_percent < 100 for t in tiers):
        problems.append(Problem(rel, key_line(text, "volume_tiers"), "a tier discount must be from 0 to 99 %"))
    terms = {}
    for raw in data.get("payment_terms") or []:
        try:
            term = PaymentTerm(str(raw["code"]), str(raw["label"]), int(raw["days"]),
                               _decimal(raw["adjustment_percent"]), str(raw.get("approval", "none")))
        except (KeyError, TypeError, ValueError, InvalidOperation):
            problems.append(Problem(rel, key_line(text, "payment_terms"),
                                    "each payment term needs `code`, `label`, `days` and `adjustment_percent`"))
            continue
        if term.code in terms:
            problems.append(Problem(rel, key_line(text, "code", term.code), f"duplicate payment term {term.code}"))
        terms[term.code] = term
    if not terms:
        problems.append(Problem(rel, key_line(text, "payment_terms"), "`payment_terms` must list at least one term"))
    try:
        vat = _decimal(data.get("vat_percent"))
        limit = _decimal(data.get("manager_discount_limit_percent"))
    except (InvalidOperation, ValueError, TypeError):
        problems.append(Problem(rel, 1, "`vat_percent` and `manager_discount_limit_percent` must be numbers"))
        return None
    if len(problems) > start:
        return None
    return PriceList(str(data.get("currency", "EUR")), str(data.get("valid_from", "")), vat, prices,
                     tuple(tiers), terms, limit)


__all__ = ["load_catalog", "load_price_list", "yaml"]

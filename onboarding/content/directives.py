"""`{{ ... }}` directives: modules show catalog and price-list figures from the data, never typed by hand."""
import re

from .pricing import PricingError, quote

DIRECTIVE = re.compile(r"\{\{\s*([a-z_]+)((?:\s+[^\s}]+)*)\s*\}\}")
BLOCK = {"product_table", "product", "price_list", "volume_tiers", "payment_terms", "quote"}
INLINE = {"price", "stock", "lead_time", "discount_limit", "vat"}
ARITY = {"product_table": 0, "product": 1, "price_list": 0, "volume_tiers": 0, "payment_terms": 0,
         "quote": 3, "price": 1, "stock": 1, "lead_time": 1, "discount_limit": 0, "vat": 0}


class DirectiveError(ValueError):
    """A directive that cannot be expanded; the message says why."""


def cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def fmt_money(currency, amount) -> str:
    return f"{currency} {amount:,.2f}"


def fmt_percent(value) -> str:
    text = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value}"
    return f"{text} %"


def fmt_date(d) -> str:
    return f"{d.day} {d:%B %Y}"


class Expander:
    """Expands the directives of one Markdown text against the catalog and price list."""

    def __init__(self, catalog, price_list):
        self.catalog = catalog
        self.prices = price_list

    def expand(self, text: str, report) -> str:
        """Return the text with directives replaced; call report(line_number, message) for each bad one."""
        out = []
        for number, line in enumerate(text.split("\n"), start=1):
            out.append(self._line(line, number, report))
        return "\n".join(out)

    def _line(self, line, number, report):
        matches = list(DIRECTIVE.finditer(line))
        if not matches:
            return line
        alone = len(matches) == 1 and line.strip() == matches[0].group(0)
        pieces, last = [], 0
        for m in matches:
            name, args = m.group(1), m.group(2).split()
            pieces.append(line[last:m.start()])
            last = m.end()
            try:
                if name not in ARITY:
                    raise DirectiveError(f"unknown directive `{name}`")
                if len(args) != ARITY[name]:
                    raise DirectiveError(f"`{name}` takes {ARITY[name]} argument(s), got {len(args)}")
                if name in BLOCK and not alone:
                    raise DirectiveError(f"`{name}` is a block directive and must stand alone on its line")
                pieces.append(getattr(self, "_" + name)(*args))
            except DirectiveError as exc:
                report(number, str(exc))
                pieces.append(m.group(0))
        pieces.append(line[last:])
        return "".join(pieces)

    def _product_of(self, sku):
        if self.catalog is None or sku not in self.catalog.products:
            raise DirectiveError(f"unknown SKU {sku}")
        return self.catalog.products[sku]

    def _money(self, amount):
        return fmt_money(self.prices.currency, amount)

    def _stock_text(self, p):
        if p.stock is None:
            return "service, not stocked"
        return f"{p.stock} units on {fmt_date(self.catalog.stock_as_of)}"

    def _lead_text(self, p):
        if p.stock is None:
            return "starts on the installation date"
        return (f"{p.lead_time_in_stock_days} working days when in stock, "
                f"{p.lead_time_out_of_stock_days} working days when out of stock")

    # Inline directives
    def _price(self, sku):
        self._product_of(sku)
        return self._money(self.prices.prices[sku])

    def _stock(self, sku):
        return self._stock_text(self._product_of(sku))

    def _lead_time(self, sku):
        return self._lead_text(self._product_of(sku))

    def _discount_limit(self):
        return fmt_percent(self.prices.manager_discount_limit_percent)

    def _vat(self):
        return fmt_percent(self.prices.vat_percent)

    # Block directives
    def _product_table(self):
        rows = ["| SKU | Product | List price | Sold in | In stock | Delivery in stock / out of stock |",
                "|---|---|---|---|---|---|"]
        for p in sorted(self.catalog.products.values(), key=lambda p: (p.category, p.profitability)):
            lead = ("—" if p.stock is None else
                    f"{p.lead_time_in_stock_days} / {p.lead_time_out_of_stock_days} working days")
            stock = "service" if p.stock is None else str(p.stock)
            pack = "1 unit" if p.pack_size == 1 else f"packs of {p.pack_size}"
            rows.append(f"| {p.sku} | {cell(p.name)} | {self._money(self.prices.prices[p.sku])} | {pack} "
                        f"| {stock} | {lead} |")
        rows.append("")
        rows.append(f"*Stock on {fmt_date(self.catalog.stock_as_of)}; prices exclude VAT "
                    f"({fmt_percent(self.prices.vat_percent)}).*")
        return "\n".join(rows)

    def _product(self, sku):
        p = self._product_of(sku)
        names = lambda skus: ", ".join(f"{s} ({self.catalog.products[s].name})" for s in skus) or "none"  # noqa: E731
        rows = [f"**{p.name}** ({p.sku}). {cell(p.summary)}", "",
                "| Specification | Value |", "|---|---|"]
        rows += [f"| {cell(k)} | {cell(v)} |" for k, v in p.specs]
        rows += ["", "| Selling facts | |", "|---|---|",
                 f"| List price | {self._money(self.prices.prices[sku])} per unit, excluding VAT |",
                 f"| Packaging | {cell(p.packaging)} |",
                 f"| Stock | {self._stock_text(p)} |",
                 f"| Delivery | {self._lead_text(p)} |",
                 f"| Conditions of use | {cell(p.conditions_of_use)} |",
                 f"| Options and accessories | {cell(names(p.options))} |",
                 f"| Alternatives when out of stock | {cell(names(p.alternatives))} |"]
        if p.competitors:
            rows += ["", "| Competing product | How it compares |", "|---|---|"]
            rows += [f"| {cell(c.name)} | {cell(c.comparison)} |" for c in p.competitors]
        return "\n".join(rows)

    @staticmethod
    def _effect(q):
        pct = q.effective_discount_percent
        if pct < 0:
            return f"The net total is {fmt_percent(-pct)} above the list price (the cost of deferred payment)"
        return f"Effective discount against the list price: {fmt_percent(pct)}"

    def _price_list(self):
        rows = [f"| SKU | Product | List price ({self.prices.currency}, excl. VAT) |", "|---|---|---:|"]
        rows += [f"| {sku} | {cell(self.catalog.products[sku].name)} | {amount:,.2f} |"
                 for sku, amount in self.prices.prices.items()]
        rows += ["", f"*Valid from {self.prices.valid_from}.*"]
        return "\n".join(rows)

    def _volume_tiers(self):
        rows = ["| Units of one product in one order | Volume discount |", "|---|---:|"]
        tiers = self.prices.tiers
        for i, t in enumerate(tiers):
            upper = f"{tiers[i + 1].min_quantity - 1}" if i + 1 < len(tiers) else "or more"
            span = f"{t.min_quantity} to {upper}" if i + 1 < len(tiers) else f"{t.min_quantity} or more"
            rows.append(f"| {span} | {fmt_percent(t.discount_percent)} |")
        return "\n".join(rows)

    def _payment_terms(self):
        rows = ["| Code | Term | Adjustment after the volume discount | Approval needed |", "|---|---|---:|---|"]
        for t in self.prices.terms.values():
            sign = "+" if t.adjustment_percent > 0 else ""
            rows.append(f"| {t.code} | {cell(t.label)} | {sign}{fmt_percent(t.adjustment_percent)} | {cell(t.approval)} |")
        return "\n".join(rows)

    def _quote(self, sku, quantity, term):
        p = self._product_of(sku)
        if not quantity.isdigit() or int(quantity) < 1:
            raise DirectiveError(f"quantity must be a whole number >= 1, got {quantity}")
        qty = int(quantity)
        if qty % p.pack_size:
            raise DirectiveError(f"{sku} is sold in packs of {p.pack_size}; {qty} is not a whole number of packs")
        try:
            q = quote(self.prices, sku, qty, term)
        except PricingError as exc:
            raise DirectiveError(str(exc)) from exc
        m = self._money
        adj = q.term.adjustment_percent
        adj_label = (f"early-payment discount {fmt_percent(-adj)}" if adj < 0 else
                     f"deferred-payment charge {fmt_percent(adj)}" if adj > 0 else "no adjustment")
        tier_note = (f"{fmt_percent(q.tier_percent)} ({qty} units reach the tier)" if q.tier_percent
                     else "none at this quantity")
        limit = self.prices.manager_discount_limit_percent
        verdict = ("needs the head of sales' written approval" if q.needs_head_approval(limit)
                   else "within the manager's authority")
        rows = [f"*Worked example: {qty} × {p.name} ({sku}), payment term {q.term.code} ({cell(q.term.label)}).*", "",
                "| Step | Amount |", "|---|---:|",
                f"| List price {m(q.unit_price)} × {qty} | {m(q.list_total)} |",
                f"| Volume discount: {tier_note} | − {m(q.volume_discount)} |",
                f"| After the volume discount | {m(q.after_volume)} |",
                f"| Payment term: {adj_label} | {'−' if adj < 0 else '+'} {m(abs(q.term_adjustment))} |",
                f"| **Net total, excluding VAT** | **{m(q.net_total)}** |",
                f"| VAT {fmt_percent(self.prices.vat_percent)} | {m(q.vat)} |",
                f"| **Total with VAT** | **{m(q.total_with_vat)}** |", "",
                self._effect(q) + f"; {verdict} (limit {fmt_percent(limit)})."]
        return "\n".join(rows)

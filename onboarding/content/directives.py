"""`{{ ... }}` directives: modules show catalog and price-list figures from the data, never typed by hand,
the configured role-play figures (`{{ role_play.attempts }}`, `{{ role_play.evaluators }}`) from Settings, and
the activity figures the platform measures from the ledger's rules: `{{ target.FIGURE }}` (the built-in target,
"80 a week", "1 a month"), `{{ segment.NAME }}` (the meetings a day normal in a segment) and
`{{ funnel.benchmark }}` ("1 in 10")."""
import re
from fractions import Fraction
from functools import lru_cache

from ..activity import rules as activity  # pure: the targets, segments and benchmark the platform uses
from .model import Settings
from .pricing import PricingError, quote

DIRECTIVE = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z0-9_]+)?)((?:\s+[^\s}]+)*)\s*\}\}")
BLOCK = {"product_table", "product", "price_list", "volume_tiers", "payment_terms", "quote"}
#: Directives with a key after the dot, each key known: `{{ target.calls }}`, `{{ segment.b2b }}`.
KEYED = {"target": tuple(activity.DEFAULT_TARGETS), "segment": tuple(activity.SEGMENTS), "funnel": ("benchmark",),
         "role_play": ("attempts", "evaluators")}
INLINE = {"price", "stock", "lead_time", "discount_limit", "vat",
          *(f"{name}.{key}" for name, keys in KEYED.items() for key in keys)}
ARITY = {"product_table": 0, "product": 1, "price_list": 0, "volume_tiers": 0, "payment_terms": 0,
         "quote": 3, "price": 1, "stock": 1, "lead_time": 1, "discount_limit": 0, "vat": 0,
         **{f"{name}.{key}": 0 for name, keys in KEYED.items() for key in keys}}


class DirectiveError(ValueError):
    """A directive that cannot be expanded; the message says why."""


def cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def row(*cells) -> str:
    """One Markdown table row."""
    return "| " + " | ".join(str(c) for c in cells) + " |"


def fmt_money(currency, amount) -> str:
    return f"{currency} {amount:,.2f}"


def fmt_percent(value) -> str:
    text = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value}"
    return f"{text} %"


def fmt_date(d, locale=None) -> str:
    if locale:
        from babel.dates import format_date

        return format_date(d, "d MMMM y", locale=locale)
    return f"{d.day} {d:%B %Y}"


@lru_cache(maxsize=8)
def _translations(locale: str):
    """The interface catalog of a language (translations/LOCALE), read once; English words where it has none."""
    from babel.support import Translations

    from ..config import ROOT

    return Translations.load(str(ROOT / "translations"), [locale])


def _unknown(name: str) -> str:
    """What is wrong with a directive nobody knows; for a known prefix, the keys it takes."""
    prefix, dot, key = name.partition(".")
    if dot and prefix in KEYED and prefix != "role_play":
        return f"unknown directive `{name}`: `{prefix}.` takes " + ", ".join(f"`{k}`" for k in KEYED[prefix])
    return f"unknown directive `{name}`"


class Expander:
    """Expands the directives of one Markdown text against the catalog and price list, worded in `locale`
    (the words of the tables and sentences come from the interface catalog; the data stays as written)."""

    def __init__(self, catalog, price_list, locale: str | None = None, settings: Settings | None = None):
        self.catalog = catalog
        self.prices = price_list
        self.locale = locale
        self.settings = settings or Settings()  # constant for an app's lifetime; part of the content version
        self._gettext = _translations(locale).gettext if locale else None

    def _(self, text: str, **params) -> str:
        """One phrase of the directives' output in the Expander's language."""
        text = self._gettext(text) if self._gettext else text
        return text % params if params else text

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
                    raise DirectiveError(_unknown(name))
                if len(args) != ARITY[name]:
                    wanted = f"{ARITY[name]} argument" + ("" if ARITY[name] == 1 else "s")
                    raise DirectiveError(f"`{name}` takes {wanted}, got {len(args)}")
                if name in BLOCK and not alone:
                    raise DirectiveError(f"`{name}` is a block directive and must stand alone on its line")
                prefix, _dot, key = name.partition(".")
                handler = getattr(self, "_" + name.replace(".", "_"), None)
                pieces.append(handler(*args) if handler else getattr(self, "_" + prefix)(key))
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
            return self._("service, not stocked")
        return self._("%(n)s units on %(date)s", n=p.stock, date=fmt_date(self.catalog.stock_as_of, self.locale))

    def _lead_text(self, p):
        if p.stock is None:
            return self._("starts on the installation date")
        return self._("%(in_stock)s working days when in stock, %(out_of_stock)s working days when out of stock",
                      in_stock=p.lead_time_in_stock_days, out_of_stock=p.lead_time_out_of_stock_days)

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

    def _role_play_attempts(self):
        return str(self.settings.role_play_attempts)

    def _role_play_evaluators(self):
        return str(self.settings.role_play_evaluators)

    def _target(self, figure):
        """The built-in target of a ledger figure, as the platform measures it: per week, or per month."""
        value = activity.DEFAULT_TARGETS[figure]
        if not value:
            return self._("no target")
        if figure in activity.MONTHLY:
            return self._("%(num)s a month", num=value)
        return self._("%(num)s a week", num=value)

    def _segment(self, segment):
        low, high = activity.SEGMENTS[segment]
        if low == high:
            return self._("about %(num)d meetings a day", num=low)
        return self._("%(low)d to %(high)d meetings a day", low=low, high=high)

    def _funnel(self, _key):
        share = Fraction(activity.BENCHMARK, 100)
        return self._("%(deals)s in %(prospects)s", deals=share.numerator, prospects=share.denominator)

    # Block directives
    def _product_table(self):
        _ = self._
        rows = [row(_("SKU"), _("Product"), _("List price"), _("Sold in"), _("In stock"),
                    _("Delivery in stock / out of stock")), "|---|---|---|---|---|---|"]
        for p in sorted(self.catalog.products.values(), key=lambda p: (p.category, p.profitability)):
            lead = ("—" if p.stock is None else
                    _("%(in_stock)s / %(out_of_stock)s working days", in_stock=p.lead_time_in_stock_days,
                      out_of_stock=p.lead_time_out_of_stock_days))
            stock = _("service") if p.stock is None else str(p.stock)
            pack = _("1 unit") if p.pack_size == 1 else _("packs of %(n)s", n=p.pack_size)
            rows.append(f"| {p.sku} | {cell(p.name)} | {self._money(self.prices.prices[p.sku])} | {pack} "
                        f"| {stock} | {lead} |")
        rows.append("")
        rows.append("*" + _("Stock on %(date)s; prices exclude VAT (%(vat)s).",
                            date=fmt_date(self.catalog.stock_as_of, self.locale),
                            vat=fmt_percent(self.prices.vat_percent)) + "*")
        return "\n".join(rows)

    def _product(self, sku):
        p = self._product_of(sku)
        _ = self._
        names = lambda skus: ", ".join(f"{s} ({self.catalog.products[s].name})" for s in skus) or _("none")  # noqa: E731
        rows = [f"**{p.name}** ({p.sku}). {cell(p.summary)}", "",
                row(_("Specification"), _("Value")), "|---|---|"]
        rows += [f"| {cell(k)} | {cell(v)} |" for k, v in p.specs]
        rows += ["", row(_("Selling facts"), ""), "|---|---|",
                 row(_("List price"), _("%(price)s per unit, excluding VAT", price=self._money(self.prices.prices[sku]))),
                 row(_("Packaging"), cell(p.packaging)),
                 row(_("Stock"), self._stock_text(p)),
                 row(_("Delivery"), self._lead_text(p)),
                 row(_("Conditions of use"), cell(p.conditions_of_use)),
                 row(_("Options and accessories"), cell(names(p.options))),
                 row(_("Alternatives when out of stock"), cell(names(p.alternatives)))]
        if p.competitors:
            rows += ["", row(_("Competing product"), _("How it compares")), "|---|---|"]
            rows += [f"| {cell(c.name)} | {cell(c.comparison)} |" for c in p.competitors]
        return "\n".join(rows)

    def _effect(self, q):
        pct = q.effective_discount_percent
        if pct < 0:
            return self._("The net total is %(pct)s above the list price (the cost of deferred payment)",
                          pct=fmt_percent(-pct))
        return self._("Effective discount against the list price: %(pct)s", pct=fmt_percent(pct))

    def _price_list(self):
        _ = self._
        rows = [row(_("SKU"), _("Product"), _("List price (%(currency)s, excl. VAT)", currency=self.prices.currency)),
                "|---|---|---:|"]
        rows += [f"| {sku} | {cell(self.catalog.products[sku].name)} | {amount:,.2f} |"
                 for sku, amount in self.prices.prices.items()]
        rows += ["", "*" + _("Valid from %(date)s.", date=self.prices.valid_from) + "*"]
        return "\n".join(rows)

    def _volume_tiers(self):
        _ = self._
        rows = [row(_("Units of one product in one order"), _("Volume discount")), "|---|---:|"]
        tiers = self.prices.tiers
        for i, t in enumerate(tiers):
            span = (_("%(low)s to %(high)s", low=t.min_quantity, high=tiers[i + 1].min_quantity - 1)
                    if i + 1 < len(tiers) else _("%(low)s or more", low=t.min_quantity))
            rows.append(f"| {span} | {fmt_percent(t.discount_percent)} |")
        return "\n".join(rows)

    def _payment_terms(self):
        _ = self._
        rows = [row(_("Code"), _("Term"), _("Adjustment after the volume discount"), _("Approval needed")),
                "|---|---|---:|---|"]
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
        m, _ = self._money, self._
        adj = q.term.adjustment_percent
        adj_label = (_("early-payment discount %(pct)s", pct=fmt_percent(-adj)) if adj < 0 else
                     _("deferred-payment charge %(pct)s", pct=fmt_percent(adj)) if adj > 0 else _("no adjustment"))
        tier_note = (_("%(pct)s (%(qty)s units reach the tier)", pct=fmt_percent(q.tier_percent), qty=qty)
                     if q.tier_percent else _("none at this quantity"))
        limit = self.prices.manager_discount_limit_percent
        verdict = (_("needs the head of sales' written approval") if q.needs_head_approval(limit)
                   else _("within the manager's authority"))
        rows = ["*" + _("Worked example: %(qty)s × %(product)s (%(sku)s), payment term %(code)s (%(term)s).",
                        qty=qty, product=p.name, sku=sku, code=q.term.code, term=cell(q.term.label)) + "*", "",
                row(_("Step"), _("Amount")), "|---|---:|",
                row(_("List price %(price)s × %(qty)s", price=m(q.unit_price), qty=qty), m(q.list_total)),
                row(_("Volume discount: %(note)s", note=tier_note), "− " + m(q.volume_discount)),
                row(_("After the volume discount"), m(q.after_volume)),
                row(_("Payment term: %(label)s", label=adj_label),
                    ("− " if adj < 0 else "+ ") + m(abs(q.term_adjustment))),
                row("**" + _("Net total, excluding VAT") + "**", "**" + m(q.net_total) + "**"),
                row(_("VAT %(pct)s", pct=fmt_percent(self.prices.vat_percent)), m(q.vat)),
                row("**" + _("Total with VAT") + "**", "**" + m(q.total_with_vat) + "**"), "",
                _("%(effect)s; %(verdict)s (limit %(limit)s).", effect=self._effect(q), verdict=verdict,
                  limit=fmt_percent(limit))]
        return "\n".join(rows)

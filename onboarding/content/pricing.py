"""Pricing rules: the one place that turns the price list into a quote. Pure; no Flask, no database."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Tier:
    min_quantity: int
    discount_percent: Decimal


@dataclass(frozen=True)
class PaymentTerm:
    code: str
    label: str
    days: int
    adjustment_percent: Decimal
    approval: str


@dataclass(frozen=True)
class PriceList:
    currency: str
    valid_from: str
    vat_percent: Decimal
    prices: dict  # sku -> Decimal
    tiers: tuple  # of Tier, ascending by min_quantity
    terms: dict  # code -> PaymentTerm
    manager_discount_limit_percent: Decimal

    def tier_for(self, quantity: int) -> Tier:
        reached = [t for t in self.tiers if quantity >= t.min_quantity]
        return reached[-1] if reached else Tier(0, Decimal(0))


@dataclass(frozen=True)
class Quote:
    sku: str
    quantity: int
    unit_price: Decimal
    list_total: Decimal
    tier_percent: Decimal
    volume_discount: Decimal
    after_volume: Decimal
    term: PaymentTerm
    term_adjustment: Decimal
    net_total: Decimal
    vat: Decimal
    total_with_vat: Decimal

    @property
    def effective_discount_percent(self) -> Decimal:
        """Discount against list price, volume and payment term together (negative means a surcharge)."""
        if not self.list_total:
            return Decimal(0)
        return money((self.list_total - self.net_total) * 100 / self.list_total)

    def needs_head_approval(self, limit_percent: Decimal) -> bool:
        return self.effective_discount_percent > limit_percent


class PricingError(ValueError):
    """The quote asked for cannot be computed from the price list."""


def quote(price_list: PriceList, sku: str, quantity: int, term_code: str) -> Quote:
    """Price one order line: list price x quantity, volume tier, then the payment-term adjustment, then VAT."""
    if sku not in price_list.prices:
        raise PricingError(f"no price for {sku}")
    if term_code not in price_list.terms:
        raise PricingError(f"unknown payment term {term_code}")
    if quantity < 1:
        raise PricingError("quantity must be at least 1")
    unit = price_list.prices[sku]
    list_total = money(unit * quantity)
    tier = price_list.tier_for(quantity)
    volume_discount = money(list_total * tier.discount_percent / 100)
    after_volume = list_total - volume_discount
    term = price_list.terms[term_code]
    adjustment = money(after_volume * term.adjustment_percent / 100)
    net = after_volume + adjustment
    vat = money(net * price_list.vat_percent / 100)
    return Quote(sku, quantity, unit, list_total, tier.discount_percent, volume_discount, after_volume,
                 term, adjustment, net, vat, net + vat)

"""pricing.quote against figures computed by hand from tests/content/prices.yaml.

The price list: BR-500 at 890.00, SN-CO2 at 79.00; volume tiers 1: 0 %, 10: 3 %,
25: 5 %, 50: 8 %, 100: 10 %; terms prepay -2 %, net14 0 %, net30 +1.5 %,
net60 +3.5 %; VAT 20 %; the manager may give up to 10 % alone.
"""
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onboarding.content.loader import load_curriculum
from onboarding.content.pricing import PricingError, Tier, money, quote

CONTENT = Path(__file__).resolve().parent / "content"


@pytest.fixture(scope="module")
def prices():
    return load_curriculum(CONTENT).price_list


def test_price_list_read_from_the_file(prices):
    assert prices.currency == "EUR"
    assert prices.vat_percent == 20
    assert prices.manager_discount_limit_percent == 10
    assert prices.prices["BR-500"] == D("890.00")
    assert [(t.min_quantity, t.discount_percent) for t in prices.tiers] == [(1, 0), (10, 3), (25, 5), (50, 8), (100, 10)]
    assert {code: t.adjustment_percent for code, t in prices.terms.items()} == {
        "prepay": D("-2"), "net14": D("0"), "net30": D("1.5"), "net60": D("3.5")}


# quantity, list total, tier %, volume discount, net (= after volume with net14), VAT, total with VAT
TIERS = [
    (1, "890.00", 0, "0.00", "890.00", "178.00", "1068.00"),
    (9, "8010.00", 0, "0.00", "8010.00", "1602.00", "9612.00"),
    (10, "8900.00", 3, "267.00", "8633.00", "1726.60", "10359.60"),
    (24, "21360.00", 3, "640.80", "20719.20", "4143.84", "24863.04"),
    (25, "22250.00", 5, "1112.50", "21137.50", "4227.50", "25365.00"),
    (49, "43610.00", 5, "2180.50", "41429.50", "8285.90", "49715.40"),
    (50, "44500.00", 8, "3560.00", "40940.00", "8188.00", "49128.00"),
    (99, "88110.00", 8, "7048.80", "81061.20", "16212.24", "97273.44"),
    (100, "89000.00", 10, "8900.00", "80100.00", "16020.00", "96120.00"),
]


@pytest.mark.parametrize("qty,list_total,tier,discount,net,vat,total", TIERS, ids=[f"qty{t[0]}" for t in TIERS])
def test_volume_tier_boundaries(prices, qty, list_total, tier, discount, net, vat, total):
    q = quote(prices, "BR-500", qty, "net14")
    assert q.unit_price == D("890")
    assert q.list_total == D(list_total)
    assert q.tier_percent == tier
    assert q.volume_discount == D(discount)
    assert q.after_volume == D(net)
    assert q.term_adjustment == 0
    assert q.net_total == D(net)
    assert q.vat == D(vat)
    assert q.total_with_vat == D(total)


def test_tier_for_picks_the_highest_tier_reached(prices):
    assert prices.tier_for(0) == Tier(0, D(0))
    assert [prices.tier_for(n).min_quantity for n in (1, 9, 10, 24, 25, 49, 50, 99, 100, 1000)] == [
        1, 1, 10, 10, 25, 25, 50, 50, 100, 100]


# 10 x BR-500: list 8,900.00, 3 % volume discount -> 8,633.00, then the term.
TERMS = [
    # term, adjustment, net, VAT, total, effective discount %
    ("prepay", "-172.66", "8460.34", "1692.07", "10152.41", "4.94"),   # 8,633 x 2 % = 172.66; VAT 1,692.068
    ("net14", "0.00", "8633.00", "1726.60", "10359.60", "3.00"),
    ("net30", "129.50", "8762.50", "1752.50", "10515.00", "1.54"),     # 129.495 -> 129.50; 137.50 / 8,900
    ("net60", "302.16", "8935.16", "1787.03", "10722.19", "-0.40"),    # 302.155 -> 302.16; -35.16 / 8,900
]


@pytest.mark.parametrize("term,adjustment,net,vat,total,effective", TERMS, ids=[t[0] for t in TERMS])
def test_payment_terms(prices, term, adjustment, net, vat, total, effective):
    q = quote(prices, "BR-500", 10, term)
    assert q.term.code == term
    assert q.after_volume == D("8633.00")
    assert q.term_adjustment == D(adjustment)
    assert q.net_total == D(net)
    assert q.vat == D(vat)
    assert q.total_with_vat == D(total)
    assert q.effective_discount_percent == D(effective)


@pytest.mark.parametrize("term,adjustment,net,vat,total", [
    ("net30", "1.19", "80.19", "16.04", "96.23"),  # 79 x 1.5 % = 1.185: half-up 1.19 (half-even would give 1.18)
    ("net60", "2.77", "81.77", "16.35", "98.12"),  # 79 x 3.5 % = 2.765: half-up 2.77 (half-even would give 2.76)
])
def test_rounds_half_up_to_cents(prices, term, adjustment, net, vat, total):
    q = quote(prices, "SN-CO2", 1, term)
    assert q.term_adjustment == D(adjustment)
    assert q.net_total == D(net)
    assert q.vat == D(vat)  # 80.19 x 20 % = 16.038 -> 16.04; 81.77 x 20 % = 16.354 -> 16.35
    assert q.total_with_vat == D(total)


def test_money_rounds_half_up_including_negatives():
    assert money(D("1.185")) == D("1.19")
    assert money(D("2.765")) == D("2.77")
    assert money(D("1.184")) == D("1.18")
    assert money(D("-0.395")) == D("-0.40")
    assert str(money(3)) == "3.00"


def test_vat_is_the_rate_of_the_net_total(prices):
    q = quote(prices, "BR-900", 3, "net30")  # 4,920.00 + 73.80 = 4,993.80; VAT 998.76
    assert (q.list_total, q.net_total, q.vat, q.total_with_vat) == (
        D("4920.00"), D("4993.80"), D("998.76"), D("5992.56"))


@pytest.mark.parametrize("qty,term,effective,needs", [
    (100, "prepay", "11.80", True),   # 80,100 - 1,602 = 78,498; 10,502 / 89,000 = 11.80 %
    (100, "net14", "10.00", False),   # exactly the limit: still the manager's call
    (50, "prepay", "9.84", False),    # 40,940 - 818.80 = 40,121.20; 4,378.80 / 44,500 = 9.84 %
    (100, "net60", "6.85", False),    # 80,100 + 2,803.50 = 82,903.50; 6,096.50 / 89,000 = 6.85 %
])
def test_head_approval_above_the_discount_limit(prices, qty, term, effective, needs):
    q = quote(prices, "BR-500", qty, term)
    assert q.effective_discount_percent == D(effective)
    assert q.needs_head_approval(prices.manager_discount_limit_percent) is needs


def test_head_approval_depends_on_the_limit_given(prices):
    q = quote(prices, "BR-500", 10, "net14")  # 3.00 %
    assert q.needs_head_approval(D("2.99")) is True
    assert q.needs_head_approval(D("3")) is False


def test_surcharge_is_a_negative_discount(prices):
    q = quote(prices, "SN-CO2", 1, "net60")
    assert q.effective_discount_percent == D("-3.51")  # -2.77 / 79
    assert not q.needs_head_approval(D(0))


@pytest.mark.parametrize("sku,qty,term,message", [
    ("XX-1", 1, "net14", "no price for XX-1"),
    ("BR-500", 1, "net90", "unknown payment term net90"),
    ("BR-500", 0, "net14", "quantity must be at least 1"),
    ("BR-500", -5, "net14", "quantity must be at least 1"),
], ids=["unknown-sku", "unknown-term", "zero", "negative"])
def test_errors(prices, sku, qty, term, message):
    with pytest.raises(PricingError, match=message):
        quote(prices, sku, qty, term)


@settings(max_examples=200, deadline=None)
@given(sku=st.sampled_from(["BR-500", "BR-900", "BR-200", "DL-70", "FL-200", "SN-CO2", "SV-3Y"]),
       qty=st.integers(min_value=1, max_value=10_000),
       term=st.sampled_from(["prepay", "net14", "net30", "net60"]))
def test_quote_arithmetic_holds_together(prices, sku, qty, term):
    q = quote(prices, sku, qty, term)
    for amount in (q.list_total, q.volume_discount, q.after_volume, q.term_adjustment, q.net_total, q.vat,
                   q.total_with_vat):
        assert amount == amount.quantize(D("0.01"))
    assert q.list_total == prices.prices[sku] * qty
    assert q.after_volume == q.list_total - q.volume_discount
    assert q.net_total == q.after_volume + q.term_adjustment
    assert q.total_with_vat == q.net_total + q.vat
    assert abs(q.vat - q.net_total * D("0.2")) <= D("0.005")
    assert q.tier_percent == prices.tier_for(qty).discount_percent

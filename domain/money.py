"""Money: exact decimal amounts in ISO 4217 currencies."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

# Active ISO 4217 codes with their minor unit (digits after the decimal point). Codes for
# precious metals, testing and "no currency" are left out: they cannot price a service.
_MINOR_UNITS_EXCEPT_TWO: dict[str, int] = {
    **dict.fromkeys(
        "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0
    ),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    **dict.fromkeys("CLF UYW".split(), 4),
}
_TWO_DIGIT_CODES = """
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR
LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD
PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC
SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW
ZWG
""".split()
MINOR_UNITS: dict[str, int] = {**dict.fromkeys(_TWO_DIGIT_CODES, 2), **_MINOR_UNITS_EXCEPT_TWO}
MAX_AMOUNT = Decimal(10) ** 15


def is_currency(code: str) -> bool:
    """Whether code is an active ISO 4217 currency code."""
    return code in MINOR_UNITS


@dataclass(frozen=True)
class Money:
    """An exact amount in one currency."""

    amount: Decimal
    currency: str

    @property
    def minor_unit(self) -> int:
        """Digits after the decimal point in this currency."""
        return MINOR_UNITS[self.currency]

    def rounded(self) -> Money:
        """This amount rounded half-even to the currency's minor unit."""
        quantum = Decimal(1).scaleb(-self.minor_unit)
        with localcontext() as context:
            # Enough significant digits for any amount, so quantize never overflows.
            context.prec = max(context.prec, self.amount.adjusted() + self.minor_unit + 2)
            return Money(self.amount.quantize(quantum, rounding=ROUND_HALF_EVEN), self.currency)

    def problems(self) -> list[tuple[str, str]]:
        """(field, description) pairs for what makes this amount unusable as a price."""
        found: list[tuple[str, str]] = []
        if not is_currency(self.currency):
            found.append(("currency_code", f"{self.currency!r} is not an ISO 4217 currency"))
            return found
        if not self.amount.is_finite():
            found.append(("amount", "must be a finite decimal"))
        elif self.amount < 0:
            found.append(("amount", "must not be negative"))
        elif self.amount >= MAX_AMOUNT:
            found.append(("amount", f"must be less than {MAX_AMOUNT:,}"))
        elif self.amount != self.rounded().amount:
            found.append(
                ("amount", f"{self.currency} has {self.minor_unit} digits after the point")
            )
        return found

"""Which words change what a quote claims when they differ: numbers, negations and units.

Words are compared after core.quote_text normalisation (case folded, every apostrophe
"'"), one token at a time as core.citations splits them.
"""

from __future__ import annotations

from enum import StrEnum


class CriticalKind(StrEnum):
    NUMBER = "number"
    NEGATION = "negation"
    UNIT = "unit"


_NUMBER_WORDS_TEXT = """
    zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy
    eighty ninety hundred hundreds thousand thousands million millions billion billions
    trillion trillions dozen dozens half halves quarter quarters third thirds twice thrice
    double triple quadruple first second fifth tenth hundredth thousandth
    """
NUMBER_WORDS = frozenset(_NUMBER_WORDS_TEXT.split())

# English first, with the commonest negators of a few other languages a source may be in.
_NEGATIONS_TEXT = """
    not no never none nobody nothing nowhere neither nor without cannot non
    nicht kein keine keiner keinen keinem nie niemals ohne nein
    ne pas jamais sans aucun aucune rien
    nunca ningún ninguno ninguna nada nadie tampoco
    non mai senza nessuno nessuna niente nulla
    niet geen nooit zonder
    """
NEGATIONS = frozenset(_NEGATIONS_TEXT.split())

_UNITS_TEXT = """
    % ‰ ° $ € £ ¥ ₹ ₽ ₩ ¢ percent percentage pct pp bp bps
    usd eur gbp jpy cny chf inr dollar dollars euro euros pound pounds cent cents yen
    nm µm μm mm cm dm m km inch inches ft foot feet yd yard yards mi mile miles
    metre metres meter meters kilometre kilometres kilometer kilometers nmi
    mg µg μg mcg g kg lb lbs oz gram grams kilogram kilograms tonne tonnes ton tons
    ml l dl cl litre litres liter liters gal gallon gallons
    ns µs μs ms s sec secs min mins h hr hrs second seconds minute minutes hour hours
    day days week weeks month months year years yr yrs decade decades century centuries
    daily weekly monthly yearly annually hourly
    hz khz mhz ghz b kb mb gb tb pb kib mib gib tib bit bits byte bytes
    w kw mw gw kwh mwh gwh wh v mv kv ma mah j kj mj cal kcal
    pa kpa mpa hpa mbar psi atm mol mmol µmol μmol db dba k celsius fahrenheit kelvin
    degree degrees ppm ppb mph kph kmh rpm iu
    """
UNITS = frozenset(_UNITS_TEXT.split())

SIGNS = frozenset({"-", "+", "±"})


def critical_kind(token: str) -> CriticalKind | None:
    """Why this one token matters when it differs, or None when it is an ordinary word."""
    if any(char.isdigit() for char in token) or token in NUMBER_WORDS:
        return CriticalKind.NUMBER
    if token in NEGATIONS or token.endswith("n't"):
        return CriticalKind.NEGATION
    if token in UNITS:
        return CriticalKind.UNIT
    return None

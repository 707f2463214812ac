#!/usr/bin/env python3
"""低保 + 高龄补贴 in OpenFisca, over the feature arrays Minzheng exported, and the totals compared.

The issue's anchor: OpenFisca, a mature vectorised rules-as-code engine, computes 低保 (补差 +
分类施保 top-ups) and 高龄补贴 for a city; Minzheng's sweep of the same two programs must be ten
times faster and give exactly the same totals on the same data. This script is the OpenFisca side.

    minzheng bench policy --persons 9570000 --export-openfisca DIR   # writes DIR/*.npy, DIR/minzheng.json
    python3 bench/openfisca/compare.py DIR                 # exits 1 if the totals differ
    python3 bench/openfisca/compare.py DIR --from persons

Both engines start from the same data and the parameters in force on the date for each county and
area (the engine's parameter table). By default OpenFisca is given what Minzheng's sweep starts
from, the warm snapshot's household features (members counted by the rules, household income,
deposits, vehicles ... and each person's age): the same work on both sides. With `--from persons`
it is given the persons before any household aggregate (counted or not, own income, medical costs,
deposits, vehicles, disability grade, age) and sums them to households itself, as in
policies/2101/features.toml: the work of Minzheng's feature views and sweep together. The rules below are written from the same texts as policies/2101/dibao.toml and
gaoling.toml; the legal basis is beside each.

Money is in fen, in whole numbers on both sides. OpenFisca keeps `int` variables in 32 bits and
`float` ones in 32-bit floats (exact only to 2^24 = 167,772.16 yuan), so money is `int` here, the
parameters are 64-bit arrays, and the script refuses data that does not fit in 32 bits; the
totals are summed in 64 bits.
"""
import json
import sys
import time
from pathlib import Path

from importlib.metadata import version

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.model_api import Variable, max_, where, select
from openfisca_core.periods import MONTH
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

Household = build_entity(
    key="household", plural="households", label="户 household",
    roles=[{"key": "member", "plural": "members", "label": "成员 member"}],
)
Person = build_entity(key="person", plural="persons", label="人 person", is_person=True)

# The parameter table (one row per county and area, as the engine resolves it on the date), set
# before the simulation runs.
PARAMS = {}


def _input(name, entity, kind, label):
    return type(name, (Variable,), {"value_type": kind, "entity": entity, "definition_period": MONTH, "label": label})


def _sum(name, label, of):
    """A household feature summed over its counted members (policies/2101/features.toml); given as
    an input instead when OpenFisca starts from the household features."""
    def formula(household, period):
        return household.sum(household.members("counted", period) * of(household.members, period))
    return type(name, (Variable,), {"value_type": int, "entity": Household, "definition_period": MONTH, "label": label, "formula": formula})


def _max(name, label, of):
    """A household feature: the highest value over its counted members (0 when none)."""
    def formula(household, period):
        return household.max(household.members("counted", period) * of(household.members, period))
    return type(name, (Variable,), {"value_type": int, "entity": Household, "definition_period": MONTH, "label": label, "formula": formula})


def _severe(person, period):
    grade = person("disability_grade", period)
    return (grade == 1) + (grade == 2)


INPUTS = [
    _input("param_row", Household, int, "参数表行（县区、城乡）"),
    _input("age", Person, int, "评估日周岁"),
    _input("counted", Person, bool, "计入共同生活家庭成员"),
    _input("income", Person, int, "本人月收入（分）"),
    _input("medical_costs", Person, int, "本人月医疗支出（分）"),
    _input("deposits", Person, int, "本人存款（分）"),
    _input("cars", Person, int, "本人机动车数（专用车辆不计）"),
    _input("cars_unvalued", Person, int, "本人价值不明的机动车数"),
    _input("car_value", Person, int, "本人机动车中最高的车辆价值（分）"),
    _input("properties", Person, int, "本人不动产数"),
    _input("businesses", Person, int, "本人登记的市场主体数"),
    _input("seriously_ill", Person, bool, "重病患者"),
    _input("disability_grade", Person, int, "残疾等级（0 为无）"),
    _sum("members", "计入的共同生活家庭成员数", lambda p, t: 1),
    _sum("net_income", "家庭月收入减医疗支出（分）", lambda p, t: p("income", t) - p("medical_costs", t)),
    _sum("hh_deposits", "家庭存款（分）", lambda p, t: p("deposits", t)),
    _sum("hh_cars", "家庭机动车数", lambda p, t: p("cars", t)),
    _sum("hh_cars_unvalued", "家庭价值不明的机动车数", lambda p, t: p("cars_unvalued", t)),
    _max("hh_car_max_value", "家庭机动车中最高的车辆价值（分）", lambda p, t: p("car_value", t)),
    _sum("owned_properties", "家庭不动产数", lambda p, t: p("properties", t)),
    _sum("hh_businesses", "登记的市场主体数", lambda p, t: p("businesses", t)),
    _sum("topup_members", "分类施保对象人数（重病、一二级残疾、60岁以上、未成年）",
         lambda p, t: p("seriously_ill", t) + _severe(p, t) + (p("age", t) >= 60) + (p("age", t) < 18) > 0),
    _sum("severe_disabled", "一二级残疾成员数", _severe),
]


def _at_least_zero(name, label, of, less=0):
    """A household sum less something, never below zero (`GREATEST(..., 0)` in features.toml)."""
    def formula(household, period):
        return max_(household(of, period) - less, 0)
    return type(name, (Variable,), {"value_type": int, "entity": Household, "definition_period": MONTH, "label": label, "formula": formula})


hh_income = _at_least_zero("hh_income", "家庭月收入（分；医疗支出扣减后不低于零）", "net_income")
hh_properties = _at_least_zero("hh_properties", "唯一住房以外的不动产数", "owned_properties", less=1)


def _p(name, household, period):
    return PARAMS[name][household("param_row", period)]


class dibao_standard_total(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "低保标准 × 人数"

    def formula(household, period):
        return _p("dibao_standard", household, period) * household("members", period)


class dibao_eligible(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "低保：符合条件"
    reference = "《社会救助暂行办法》第九条；《最低生活保障审核确认办法》第九条、第十三条"

    def formula(household, period):
        total = household("dibao_standard_total", period)
        members = household("members", period)
        severe = household("severe_disabled", period)
        # No vehicle beyond one for a severely disabled member, or only vehicles of known value
        # within the limit (special vehicles are not counted as cars).
        vehicles_ok = (household("hh_cars", period) <= where(severe > 0, 1, 0)) + (
            (household("hh_cars_unvalued", period) == 0)
            * (household("hh_car_max_value", period) <= _p("vehicle_value_limit", household, period))
        ) > 0
        return (
            (members > 0)
            * (household("hh_income", period) < total)
            * (household("hh_deposits", period) <= _p("dibao_deposit_months", household, period) * total)
            * vehicles_ok
            * (household("hh_properties", period) == 0)
            * (household("hh_businesses", period) == 0)
        )


class dibao(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "低保金：补差（向上取整到元）+ 分类施保增发（分）"
    reference = "《社会救助暂行办法》第十三条；《最低生活保障审核确认办法》第二十九条"

    def formula(household, period):
        gap = household("dibao_standard_total", period) - household("hh_income", period)
        top_up = (gap + 99) // 100 * 100
        classified = _p("dibao_topup", household, period) * household("topup_members", period)
        return where(household("dibao_eligible", period), top_up + classified, 0)


class below_dibao_standard(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "家庭月人均收入低于低保标准"

    def formula(household, period):
        return household("hh_income", period) < household("dibao_standard_total", period)


class gaoling(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "高龄补贴（分）"
    reference = "《中华人民共和国老年人权益保障法》第三十三条；《辽宁省老年人权益保障条例》"

    def formula(person, period):
        age = person("age", period)
        row = person.household("param_row", period)
        poor = person.household("below_dibao_standard", period)
        amount = select(
            [age >= 100, age >= 90, poor],
            [PARAMS["gaoling_100"][row], PARAMS["gaoling_90"][row], PARAMS["gaoling_80_poor"][row]],
            PARAMS["gaoling_80"][row],
        )
        return where(age >= 80, amount, 0)


class Shenyang(TaxBenefitSystem):
    def __init__(self):
        super().__init__([Household, Person])
        for v in INPUTS + [hh_income, hh_properties, dibao_standard_total, dibao_eligible, dibao, below_dibao_standard, gaoling]:
            self.add_variable(v)


def load(directory, name):
    return np.load(directory / f"{name}.npy")


def main():
    args = sys.argv[1:]
    from_persons = "--from" in args and args[args.index("--from") + 1] == "persons"
    directory = Path(next((a for a in args if not a.startswith("--") and a != "persons"), "openfisca-data"))
    meta = json.loads((directory / "minzheng.json").read_text())
    period = meta["on"][:7]
    # The parameter table, and each household's row in it.
    county, rural = load(directory, "params_p_county"), load(directory, "params_p_rural")
    for name in ["dibao_standard", "dibao_topup", "dibao_deposit_months", "vehicle_value_limit", "gaoling_80", "gaoling_80_poor", "gaoling_90", "gaoling_100"]:
        PARAMS[name] = load(directory, f"params_{name}")
    row_of = {(int(c), int(r)): i for i, (c, r) in enumerate(zip(county, rural))}
    if from_persons:
        # Households are those of the persons; a household's county and area are its members'.
        p_hid = load(directory, "base_hid")
        hh_hid, first = np.unique(p_hid, return_index=True)
        hh_county, hh_rural = load(directory, "base_county")[first], load(directory, "base_rural")[first]
        person_names = ["counted", "age", "income", "medical_costs", "deposits", "cars", "cars_unvalued", "car_value", "properties", "businesses", "seriously_ill", "disability_grade"]
        inputs = {name: load(directory, f"base_{name}") for name in person_names}
        for name in ["counted", "seriously_ill"]:
            inputs[name] = inputs[name].astype(bool)
    else:
        p_hid = load(directory, "person_hid")
        hh_hid = load(directory, "household_hid")
        hh_county, hh_rural = load(directory, "household_county"), load(directory, "household_rural")
        household_names = ["members", "hh_income", "hh_deposits", "hh_cars", "hh_cars_unvalued", "hh_car_max_value", "hh_properties", "hh_businesses", "topup_members", "severe_disabled"]
        inputs = {name: load(directory, f"household_{name}") for name in household_names}
        inputs["age"] = load(directory, "person_age")
    keys = hh_county * 2 + hh_rural
    table = np.full(keys.max() + 1, -1, dtype=np.int64)
    for (c, r), i in row_of.items():
        if c * 2 + r < len(table):
            table[c * 2 + r] = i
    param_row = table[keys]
    assert (param_row >= 0).all(), "a household's county and area are missing from the parameter table"
    # Each person's household, as a position among the households.
    order = np.argsort(hh_hid)
    p_household = order[np.minimum(np.searchsorted(hh_hid, p_hid, sorter=order), len(hh_hid) - 1)]
    assert (hh_hid[p_household] == p_hid).all(), "a person's household is missing"

    checked = dict(inputs)
    if from_persons:
        # OpenFisca sums these to households and keeps the sums in 32 bits too.
        for name in ["income", "deposits"]:
            checked[f"household sum of {name}"] = np.bincount(p_household, weights=inputs[name], minlength=len(hh_hid))
    for name, values in checked.items():
        if len(values) and (values.min() < -2**31 or values.max() >= 2**31):
            sys.exit(f"{name} does not fit in OpenFisca's 32-bit integers: {values.min()} .. {values.max()}")

    t0 = time.perf_counter()
    system = Shenyang()
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", np.arange(len(p_hid)))
    households = builder.declare_entity("household", np.arange(len(hh_hid)))
    builder.join_with_persons(households, p_household, np.full(len(p_hid), "member"))
    simulation = builder.build(system)
    for name, values in inputs.items():
        simulation.set_input(name, period, values)
    simulation.set_input("param_row", period, param_row)
    t1 = time.perf_counter()
    dibao_amount = simulation.calculate("dibao", period)
    dibao_eligible = simulation.calculate("dibao_eligible", period)
    gaoling_amount = simulation.calculate("gaoling", period)
    t2 = time.perf_counter()
    gaoling_eligible = inputs["age"] >= 80

    ours = {
        "dibao": {"eligible": int(dibao_eligible.sum()), "amount": int(dibao_amount.astype(np.int64).sum())},
        "gaoling": {"eligible": int(gaoling_eligible.sum()), "amount": int(gaoling_amount.astype(np.int64).sum())},
    }
    theirs = meta["totals"]
    print(f"OpenFisca-Core {version('openfisca-core')}: "
          f"{len(hh_hid):,} households, {len(p_hid):,} persons, period {period}, "
          f"from {'the persons (OpenFisca sums the households)' if from_persons else 'the household features'}")
    print(f"  build the simulation and set the inputs: {t1 - t0:.2f} s")
    print(f"  calculate 低保 + 高龄补贴{' with the household sums' if from_persons else ''} (from arrays in memory to results): {t2 - t1:.2f} s")
    same = True
    for code in ["dibao", "gaoling"]:
        a, b = ours[code], theirs[code]
        ok = a == b
        same &= ok
        print(f"  {code:<8} OpenFisca eligible {a['eligible']:>9,} monthly {a['amount'] / 100:>16,.2f} yuan | "
              f"Minzheng eligible {b['eligible']:>9,} monthly {b['amount'] / 100:>16,.2f} yuan  {'same' if ok else 'DIFFERENT'}")
    print("totals: " + ("the same" if same else "DIFFERENT"))
    if any(theirs[code]["eligible"] == 0 for code in ["dibao", "gaoling"]):
        print("nothing to compare: a program has no eligible unit in this data")
        return 1
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())

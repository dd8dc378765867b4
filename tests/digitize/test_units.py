"""Units from axis titles as OCR reads them."""

import pytest

from speedlines.digitize.units import unit_from_title


@pytest.mark.parametrize(
    ("title", "unit"),
    [("Corrected Mass Flow [kg/s]", "kg/s"), ("Mass Flow Rate (lb/min)", "lb/min"),
     ("Corrected Air Flow, kgfs", "kg/s"), ("Volume Fkw [kgis]", "kg/s"), ("Flow (cfm)", "cfm"),
     ("Volume Flow [m~3/s]", "m^3/s"), ("Volume flow [m³/s]", "m^3/s"), ("Flow [lb/s]", "lb/s"),
     ("Volume Flow [Ib/min]", "lb/min"), ("Flow in lbm/min", "lbm/min"),
     ("W [kg/s] (corr.)", "kg/s"), ("Mass flow", ""), ("Speed [rpm]", ""), ("", ""),
     ("Flow (2)", ""), ("Carreeted Air Flow, efm", "cfm"), ("Volume Flow [cfn]", "cfm"),
     ("Flow (Ib/s)", "lb/s"), ("Corrected Air Flow, Ib/s", "lb/s")],
)  # fmt: skip
def test_flow_units(title, unit):
    assert unit_from_title(title, "x") == unit


@pytest.mark.parametrize(
    ("title", "unit"),
    [("Total Pressure Ratio [-]", "-"), ("Pressure Ratio (t-t)", "-"), ("PR [-]", "-"),
     ("Pressure Ratio P2/Pl", "-"), ("π_tt", "-"), ("Π", "-"), ("Efficiency", ""),
     ("Head [m]", ""), ("", "")],
)  # fmt: skip
def test_pressure_ratio_has_no_unit(title, unit):
    assert unit_from_title(title, "y") == unit

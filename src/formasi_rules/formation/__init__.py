"""Formation needs from workload (analisis beban kerja): officers needed per region and level."""

from ._compute import Parameters
from ._existing import read_existing
from ._inputs import Located, WorkloadRow, read_workload
from ._result import Adjustment, Contribution, FormationResult, NeedRow

__all__ = ["Adjustment", "Contribution", "FormationResult", "Located", "NeedRow", "Parameters", "WorkloadRow",
           "read_existing", "read_workload"]

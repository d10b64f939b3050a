"""The registered model's pyfunc code, logged as code: nothing of the model is pickled.

MLflow's models-from-code logs this file's text with the model and runs it when
``mlflow.pyfunc.load_model`` loads the model; it names the model object and nothing else.
The object (:class:`training._tracking.PyfuncRiskModel`) loads the signed RiskModel folder
through :meth:`riskmodel.RiskModel.load`, which verifies the signature first, so a tampered
folder is refused through MLflow too.
"""

from training._tracking import use_as_pyfunc_model

use_as_pyfunc_model()

"""adoption-kit: how a company really adopts its AI tools, measured without surveillance."""

import warnings

__version__ = "0.1.0"

# pandera imports pyspark.pandas whenever PySpark is installed (the Spark engine's extra), and PySpark warns
# on that import that it does not fully support pandas 3; the kit never uses pandas-on-Spark.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

"""Typed errors and warnings raised by servqual.

Every error is a subclass of :class:`ValueError` or :class:`TypeError`, so code
that already catches those keeps working; messages name the offending column,
row, parameter or value and say what was expected.

Warnings mark results that were computed but should not be trusted blindly
(non-convergence, improper solutions, non-positive-definite matrices, failed
bootstrap replicates).  They are attached to result objects *and* emitted
through :mod:`warnings`, never hidden.
"""

from __future__ import annotations

__all__ = [
    "ServqualError",
    "DataError",
    "MissingColumnError",
    "DuplicateColumnError",
    "NonNumericError",
    "OutOfRangeError",
    "ConstantItemError",
    "EmptyDataError",
    "InsufficientDataError",
    "MissingValuesError",
    "UnpairedItemError",
    "SpecificationError",
    "ParameterError",
    "InputTypeError",
    "CollinearityError",
    "DuplicateIndexError",
    "OverwriteError",
    "CodebookError",
    "ReadError",
    "ServqualWarning",
    "DegenerateResultWarning",
    "ScaleWarning",
    "ConvergenceWarning",
    "ImproperSolutionWarning",
    "NotPositiveDefiniteWarning",
    "IdentificationWarning",
    "BootstrapFailureWarning",
    "MissingDataWarning",
]


class ServqualError(Exception):
    """Base class of every servqual error (never raised directly)."""


class DataError(ServqualError, ValueError):
    """Invalid data: the message names the column, row or value."""


class MissingColumnError(DataError, KeyError):
    """A column the analysis needs is not in the frame."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class DuplicateColumnError(DataError):
    """A column name occurs more than once."""


class NonNumericError(DataError, TypeError):
    """A column holds text or another non-numeric value."""


class OutOfRangeError(DataError):
    """A value lies outside the declared response scale or valid range."""


class ConstantItemError(DataError):
    """An item is constant (zero variance) or entirely missing."""


class EmptyDataError(DataError):
    """The frame has no rows (or no columns)."""


class InsufficientDataError(DataError):
    """Fewer usable rows than the analysis needs."""


class MissingValuesError(DataError):
    """Missing values were found where the chosen policy does not allow them."""


class UnpairedItemError(DataError):
    """A perception item has no expectation partner (or the reverse)."""


class SpecificationError(ServqualError, ValueError):
    """A model specification is invalid (syntax, unknown variable, cycle...)."""


class ParameterError(ServqualError, ValueError):
    """A function argument is outside its allowed values."""


class InputTypeError(ServqualError, TypeError):
    """An argument has the wrong type (e.g. an array or None where a DataFrame is needed)."""


class CollinearityError(DataError):
    """Two columns are identical or a set of columns is perfectly collinear."""


class DuplicateIndexError(DataError):
    """Duplicated row labels where they would change the result."""


class OverwriteError(ServqualError, FileExistsError):
    """A file or folder exists and would be overwritten without ``force``."""


class CodebookError(ServqualError, ValueError):
    """A codebook is malformed: the message names the key and the value."""


class ReadError(ServqualError, ValueError):
    """A survey file cannot be read: the message names the file and the problem."""


class ServqualWarning(UserWarning):
    """Base class of servqual warnings."""


class ConvergenceWarning(ServqualWarning):
    """An iterative estimator stopped before meeting its convergence criterion."""


class ImproperSolutionWarning(ServqualWarning):
    """Improper solution, e.g. a negative variance (Heywood case)."""


class NotPositiveDefiniteWarning(ServqualWarning):
    """A sample or model-implied matrix is not positive definite."""


class IdentificationWarning(ServqualWarning):
    """The model has negative degrees of freedom or is not identified."""


class BootstrapFailureWarning(ServqualWarning):
    """Some bootstrap replicates failed; they are counted on the result."""


class MissingDataWarning(ServqualWarning):
    """Rows were dropped or values imputed because of missing data."""


class DegenerateResultWarning(ServqualWarning):
    """A result is degenerate: all answers at one end, a zero-width interval, a
    bootstrap with no variation, an estimate at its boundary."""


class ScaleWarning(ServqualWarning):
    """Scale points never used, or a large share of not-applicable answers."""

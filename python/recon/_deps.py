"""Optional dependencies (torch, pylops): imported only where a function needs them."""
import importlib

from ._recon import Error


class MissingDependency(Error, ImportError):
    """An optional package that a function needs (torch for ``to_torch``, pylops for
    ``to_pylops``) does not import; the message says which and how to install it. Also an
    :class:`ImportError`."""


_HINTS = {
    "torch": "install PyTorch (Debian: apt-get install python3-torch; or pip install torch)",
    "pylops": "install PyLops (pip install pylops)",
}


def require(module, what):
    """The module ``module``, or :class:`MissingDependency` naming ``what`` needs it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MissingDependency("%s needs the optional package '%s', which does not import here (%s); %s"
                                % (what, module, e, _HINTS.get(module, "install it"))) from None

"""The bundled demo site: Riverside Swim School, a small realistic website with switchable faults.

from demo import DemoSite
with DemoSite() as site:
    site.url("/register")
"""

from demo.faults import Faults
from demo.school import CLASSES, Registration, SwimClass
from demo.site import DemoSite

__all__ = ["CLASSES", "DemoSite", "Faults", "Registration", "SwimClass"]

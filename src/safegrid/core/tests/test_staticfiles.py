from django.contrib.staticfiles import finders

from safegrid.core.staticfiles import VendorFinder, vendor_files
from safegrid.core.templatetags.safegrid import icon


def test_vendor_finder_publishes_exactly_the_listed_files():
    finder = VendorFinder()
    assert finder.check() == []
    listed = {f"{storage.prefix}/{name}" for name, storage in finder.list([])}
    assert listed == set(vendor_files())
    assert "vendor/tabler/css/tabler.min.css" in listed
    # The rest of the package's dist/ is not published (its bundled CSS names files it lacks).
    assert finders.find("vendor/tabler/libs/tom-select/dist/css/tom-select.bootstrap5.min.css") is None
    assert finders.find("vendor/htmx/htmx.min.js").endswith("node_modules/htmx.org/dist/htmx.min.js")
    assert finder.find("vendor/htmx/htmx.min.js", find_all=True) == [finders.find("vendor/htmx/htmx.min.js")]


def test_icons_are_inlined_from_the_package_and_unknown_names_render_nothing():
    svg = icon("alert", "icon text-red")
    assert svg.startswith("<svg") and 'class="icon text-red"' in svg
    assert icon("no-such-icon") == ""
    assert icon("../outline/alert-triangle") == ""

"""Wherever a unit is chosen, its choices read as the tree: each unit under its parent,
siblings by name, indented by depth; and no picker offers Django's English empty choice
on an Indonesian page."""

import re

import pytest

from cakap.people.forms import INDENT, units_in_tree_order
from cakap.people.models import Unit
from conftest import client_for, in_english

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _options(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return re.findall(r"<option[^>]*>(.*?)</option>", select.group(1), re.S)


def test_the_tree_order_puts_each_unit_under_its_parent_and_siblings_by_name(world):
    bidang = Unit.objects.create(name="Bidang Mutasi", parent=world.bkpsdm)
    subbag = Unit.objects.create(name="Subbagian Umum", parent=bidang)
    aparatur = Unit.objects.create(name="Bidang Aparatur", parent=world.bkpsdm)
    ordered = [(u.name, depth) for u, depth in units_in_tree_order(Unit.objects.all())]
    assert ordered == [
        ("Kabupaten Contoh", 0),
        ("BKPSDM", 1),
        (aparatur.name, 2),
        (bidang.name, 2),
        (subbag.name, 3),
        ("Dinas Kesehatan", 1),
        ("Diskominfo", 1),
        ("Kecamatan Satu", 1),
    ]
    # Within a subtree the shallowest unit is the edge: no indent for it.
    assert [
        (u.name, d) for u, d in units_in_tree_order(Unit.objects.filter(pk__gte=bidang.pk))
    ] == [
        (aparatur.name, 0),
        (bidang.name, 0),
        (subbag.name, 1),
    ]


def test_the_person_form_indents_units_by_the_tree(world):
    Unit.objects.create(name="Bidang Mutasi", parent=world.bkpsdm)
    html = client_for(world.organiser).get("/people/new/").content.decode()
    options = _options(html, "unit")
    assert options[1:4] == [
        "Kabupaten Contoh",
        INDENT + "BKPSDM",
        INDENT * 2 + "Bidang Mutasi",
    ]


@pytest.mark.parametrize("path", ["/people/new/", "/programmes/new/", "/people/import/"])
def test_no_picker_says_select_an_option_in_english_on_an_indonesian_page(world, path):
    html = client_for(world.organiser).get(path).content.decode()
    assert "Select an option" not in html
    assert "- Pilih salah satu -" in html
    english = in_english(client_for(world.organiser)).get(path).content.decode()
    assert "- Select an option -" in english


def test_the_programme_form_indents_both_unit_pickers(world):
    html = client_for(world.organiser).get("/programmes/new/").content.decode()
    for name in ("organiser_unit", "coaching_unit"):
        options = _options(html, name)
        assert options.index("Kabupaten Contoh") < options.index(INDENT + "BKPSDM"), name

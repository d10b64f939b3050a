"""Code lists: each decoded code carries the publisher's meaning (see docs/label-definition.md)."""

import re

import pytest

from features import _codes

# Home Office Counting Rules titles, as checked against the editions cited in
# docs/label-definition.md. A change here must be a change in the published list.
PUBLISHED_HO_CLASSES = [
    ("1", "murder"), ("2", "attempted murder"), ("3A", "conspiracy to murder"), ("3B", "threats to kill"),
    ("4/1", "manslaughter"), ("4/2", "infanticide"), ("4/3", "intentional destruction of a viable unborn child"),
    ("4/4", "causing death by dangerous driving"),
    ("4/6", "causing death by careless driving under the influence of drink or drugs"),
    ("4/7", "causing or allowing the death of a child or vulnerable person"),
    ("4/8", "causing death by careless or inconsiderate driving"),
    ("4/9", "causing death by driving: unlicensed, disqualified or uninsured drivers"),
    ("4/10", "corporate manslaughter"),
    ("5A", "wounding or carrying out an act endangering life"), ("5B", "use of substance or object to endanger life"),
    ("5C", "possession of items to endanger life"), ("6", "endangering railway passengers"),
    ("7", "endangering life at sea"), ("8F", "inflicting grievous bodily harm without intent"),
    ("8G", "actual bodily harm and other injury"),
    ("8H", "racially or religiously aggravated inflicting grievous bodily harm without intent"),
    ("8J", "racially or religiously aggravated actual bodily harm and other injury"),
    ("8K", "poisoning or female genital mutilation"), ("8L", "harassment"),
    ("8M", "racially or religiously aggravated harassment"), ("8N", "assault with injury"),
    ("9A", "public fear, alarm or distress"), ("9B", "racially or religiously aggravated public fear, alarm or distress"),
    ("10A", "possession of firearms with intent"), ("10B", "possession of firearms offences"),
    ("10C", "possession of other weapons"), ("10D", "possession of article with blade or point"),
    ("11", "cruelty to and neglect of children"), ("12", "abandoning a child under two years"),
    ("13", "child abduction"), ("15", "concealing an infant death close to birth"),
    ("24", "exploitation of prostitution"), ("26", "bigamy"), ("27", "soliciting for prostitution"),
    ("33", "going equipped for stealing"), ("34A", "robbery of business property"),
    ("34B", "robbery of personal property"), ("39", "theft from the person"),
    ("48", "theft or unauthorised taking of a motor vehicle"), ("54", "handling stolen goods"),
    ("56A", "arson endangering life"), ("56B", "arson not endangering life"),
    ("59", "threat or possession with intent to commit criminal damage"), ("61", "other forgery"),
    ("61A", "possession of false documents"), ("62A", "violent disorder"),
    ("66", "other offences against the state or public order"), ("79", "perverting the course of justice"),
    ("80", "absconding from lawful custody"), ("86", "obscene publications"),
    ("92A", "trafficking in controlled drugs"),
    ("95", "disclosure, obstruction, false or misleading statements"), ("96", "wildlife crime"),
    ("99", "other notifiable offences"),
]


@pytest.mark.parametrize(("ho_class", "meaning"), PUBLISHED_HO_CLASSES)
def test_each_home_office_class_decodes_to_its_published_title(ho_class, meaning):
    assert _codes.HO_CLASS[ho_class] == meaning
    assert re.fullmatch(_codes.HO_CLASS_PATTERN, ho_class)


def test_only_verified_classes_are_listed():
    assert set(_codes.HO_CLASS) == {c for c, _ in PUBLISHED_HO_CLASSES}


@pytest.mark.parametrize("ho_class", ["8P", "46", "104", "105A", "92D", "28E", "4.1"])
def test_classes_not_verified_are_not_decoded(ho_class):
    assert ho_class not in _codes.HO_CLASS


@pytest.mark.parametrize(("text", "well_formed"), [
    ("10D", True), ("8M", True), ("4/10", True), ("105A", True), ("99", True),
    ("KNIFE", False), ("10-D", False), ("10DD", False), ("4.1", False), ("", False), ("1234", False),
])
def test_the_class_pattern_tells_well_formed_from_malformed(text, well_formed):
    assert bool(re.fullmatch(_codes.HO_CLASS_PATTERN, text)) is well_formed


def test_neet_features_count_only_the_available_neet_codes():
    assert _codes.NEET_AVAILABLE_ACTIVITY == (540, 610, 615, 616, 619)
    for code in _codes.NEET_NOT_AVAILABLE_ACTIVITY:
        assert _codes.NCCIS_ACTIVITY[code][1].startswith("not available")
        assert code not in _codes.NEET_AVAILABLE_ACTIVITY
    assert {c for c, (group, _) in _codes.NCCIS_ACTIVITY.items() if group == "NEET"} == (
        set(_codes.NEET_AVAILABLE_ACTIVITY) | set(_codes.NEET_NOT_AVAILABLE_ACTIVITY))


def test_residential_care_leaves_out_residential_schools():
    assert "S1" not in _codes.RESIDENTIAL_OR_SECURE_PLACEMENTS
    assert _codes.PLACEMENT["S1"] == "residential school"
    assert set(_codes.RESIDENTIAL_OR_SECURE_PLACEMENTS) == {"K1", "K2", "R1", "R5"}

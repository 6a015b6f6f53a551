"""Synthetic study graphs shaped like atcgraph's, for benchmarks only (never shipped as data).

``write_root(n, folder)`` lays out a checkout-like root: the real ontology, shapes, queries and
shared entities, plus ``data/synthetic.ttl`` with ``n`` studies built from the real classes and
properties. The studies are valid against the real shapes (they are not "discussed in" the source
review, so they need no Table 1 row), and skewed the way literature is: a few targets, carriers
and modalities take most of the studies (Zipf weights), so queries and gap maps do real work.
Each study is ~30 triples plus the measurements (~9 triples each) of one real study drawn at
random, none if it reports none: the kinds, units and how often they come together as in
data/studies/ (1.9 per study on average), each value drawn between the smallest and largest the
real graph holds for its kind.
"""

from __future__ import annotations

import random
import shutil
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]

TARGETS = ["egfr", "nis", "vegfr2", "braf", "tert", "cd44", "vegfa", "tp53", "mtor", "hsp90",
           "il13ra2", "tfr1", "tshr", "pax8", "hif1a", "top1", "top2"]
LIGANDS = {"egfr": "ge11", "vegfr2": "anti-vegfr2-antibody", "cd44": "hyaluronic-acid", "il13ra2": "pep1",
           "tfr1": "holo-transferrin", "vegfa": "bevacizumab"}
CARRIERS = [("PolymericNanoparticle", "plga"), ("Liposome", "dppc"), ("MesoporousSilicaNanoparticle", "silica"),
            ("GoldNanoparticle", "gold"), ("AlbuminNanoparticle", "bsa"), ("LipidNanoparticle", "lipid-unspecified"),
            ("MetalSulfideNanoparticle", "copper-sulfide"), ("ChitosanNanoparticle", "chitosan"),
            ("Polyplex", "pei"), ("ExtracellularVesicle", "ev-membrane"), ("Nanobubble", "perfluoropentane"),
            ("MetalOxideNanoparticle", "manganese-dioxide"), ("Nanosponge", "beta-cyclodextrin"),
            ("PolydopamineNanoparticle", "polydopamine")]
STRATEGIES = ["ChemotherapeuticDrugDelivery", "GeneDelivery", "RadioiodineDelivery", "CombinationTherapyStrategy",
              "CoDelivery", "PhotothermalTherapyStrategy", "DifferentiationAgentDelivery"]
MODALITIES = ["Chemotherapy", "GeneTherapy", "RadionuclideTherapy", "PhotothermalTherapy", "TargetedTherapy",
              "UltrasoundTriggeredTherapy", "DifferentiationTherapy"]
CELLS = ["cell-8305c", "cell-fro", "cell-atc-unnamed", "cell-hth83"]
ANIMALS = ["mouse-xenograft", "mouse-subcutaneous-xenograft", "mouse-orthotopic-xenograft"]
PREFIXES = """@prefix atc:  <https://w3id.org/atcgraph/ontology/> .
@prefix atcd: <https://w3id.org/atcgraph/data/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

"""


Profile = tuple[tuple[str, str], ...]  # (measurement class, unit), local names in atc:


@cache
def _real_measurements() -> tuple[list[Profile], dict[str, tuple[float, float]]]:
    """Each real study's measurements with a single value, as (class, unit) pairs (none for a study
    reporting none); and the range of the real values of each class."""
    store = ox.Store()
    for file in sorted((ROOT / "data" / "studies").glob("*.ttl")):
        store.load(path=str(file), format=ox.RdfFormat.TURTLE)
    atc = "https://w3id.org/atcgraph/ontology/"
    profiles: dict[str, list[tuple[str, str]]] = defaultdict(list)
    values: dict[str, list[float]] = defaultdict(list)
    for row in store.query(f"SELECT ?study WHERE {{ ?study a <{atc}Study> }}"):
        profiles[row["study"].value] = []
    for row in store.query(f"""SELECT ?study ?m ?class ?unit ?value WHERE {{
            ?study <{atc}hasMeasurement> ?m . ?m a ?class ; <{atc}hasUnit> ?unit ; <{atc}numericValue> ?value .
            FILTER STRSTARTS(STR(?class), "{atc}") }} ORDER BY ?study ?m ?class"""):
        kind = row["class"].value.removeprefix(atc)
        profiles[row["study"].value].append((kind, row["unit"].value.removeprefix(atc)))
        values[kind].append(float(row["value"].value))
    return [tuple(p) for _, p in sorted(profiles.items())], {k: (min(v), max(v)) for k, v in values.items()}


def _zipf(items: list, rng: random.Random) -> object:
    return rng.choices(items, weights=[1 / (rank + 1) for rank in range(len(items))])[0]


def write_root(n: int, folder: Path, seed: int = 7) -> Path:
    """A root with the real ontology, shapes, queries and entities, and ``n`` synthetic studies."""
    if folder.exists():
        shutil.rmtree(folder)
    for part in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / part, folder / part)
    shutil.copytree(ROOT / "data" / "entities", folder / "data" / "entities")
    with (folder / "data" / "synthetic.ttl").open("w", encoding="utf-8") as out:
        out.write(PREFIXES)
        out.writelines(_nucleic_acids())
        rng = random.Random(seed)
        for i in range(n):
            out.writelines(_study(i, rng))
    return folder


def _nucleic_acids() -> Iterator[str]:
    for target in TARGETS:
        yield (f"atcd:syn-sirna-{target} a atc:SmallInterferingRNA ; rdfs:label \"synthetic siRNA against {target}\" ; "
               f"atc:silences atcd:target-{target} .\n")


def _study(i: int, rng: random.Random) -> Iterator[str]:
    s, np, pub = f"atcd:syn-study-{i}", f"atcd:syn-np-{i}", f"atcd:syn-pub-{i}"
    modalities = {_zipf(MODALITIES, rng) for _ in range(rng.choice((1, 1, 2, 2, 3)))}
    target = _zipf(TARGETS, rng)
    carrier, material = _zipf(CARRIERS, rng)
    payloads, stimuli, imaging = ["atcd:doxorubicin"], [], []
    if "GeneTherapy" in modalities:
        payloads.append(f"atcd:syn-sirna-{target}")
    if "PhotothermalTherapy" in modalities:
        payloads.append(rng.choice(["atcd:gold", "atcd:copper-sulfide", "atcd:indocyanine-green"]))
        stimuli.append("atc:NearInfraredLight")
    if "UltrasoundTriggeredTherapy" in modalities:
        stimuli.append("atc:LowIntensityFocusedUltrasound")
    if "TargetedTherapy" in modalities:
        payloads.append("atcd:torin2")
    radiolabel = "RadionuclideTherapy" in modalities
    if radiolabel and rng.random() < 0.5:
        imaging.append("atc:SPECTImaging")
    all_modalities = sorted(modalities) + (["CombinationTherapy"] if len(modalities) >= 2 else [])
    models = [f"atcd:{rng.choice(CELLS)}"] + ([f"atcd:{rng.choice(ANIMALS)}"] if rng.random() < 0.6 else [])
    profiles, ranges = _real_measurements()
    measures = [(f"atcd:syn-m-{i}-{k}", kind) for k, kind in enumerate(rng.choice(profiles))]
    year = rng.randint(1995, 2023)
    yield (f"{s} a atc:Study ; rdfs:label \"Synthetic {i}\" ; atc:reportedIn {pub} ; atc:hasNanocarrier {np} ;\n"
           f"    atc:hasTherapyModality {', '.join('atc:' + m for m in all_modalities)} ;\n"
           f"    atc:inStrategySection atc:{_zipf(STRATEGIES, rng)} ; atc:usesModel {', '.join(models)} ;\n"
           + (f"    atc:usesStimulus {', '.join(stimuli)} ;\n" if stimuli else "")
           + (f"    atc:usesImaging {', '.join(imaging)} ;\n" if imaging else "")
           + (f"    atc:hasMeasurement {', '.join(m for m, _ in measures)} ;\n" if measures else "")
           + f"    atc:finding \"Synthetic benchmark study {i}: one line long enough to be a finding.\" ;\n"
           f"    atc:provenance \"benchmarks/synthetic.py, seed-generated; not from the review\" .\n")
    yield (f"{pub} a atc:Publication ; rdfs:label \"Synthetic publication {i}\" ; atc:authors \"Doe J, et al.\" ;\n"
           f"    atc:firstAuthor \"Doe J\" ; atc:title \"Synthetic study {i}\" ; atc:journal \"Synthetic J\" ;\n"
           f"    atc:publicationYear {year} .\n")
    ligand = LIGANDS.get(target) if rng.random() < 0.5 else None
    yield (f"{np} a atc:{carrier} ; rdfs:label \"synthetic carrier {i}\" ; atc:hasCoreMaterial atcd:{material} ;\n"
           f"    atc:hasPayload {', '.join(payloads)}"
           + (" ; atc:radiolabelledWith atcd:iodine-131" if radiolabel else "")
           + (f" ; atc:hasTargetingLigand atcd:{ligand}" if ligand else "") + " .\n")
    for m, (cls, unit) in measures:
        value = rng.uniform(*ranges[cls])
        yield (f"{m} a atc:{cls} ; rdfs:label \"{cls} of synthetic carrier {i}\" ; "
               f"atc:numericValue \"{value:.2f}\"^^xsd:decimal ;\n    atc:hasUnit atc:{unit} ; "
               f"atc:spread \"{rng.uniform(0.1, 5):.2f}\"^^xsd:decimal ; atc:measuredOn {np} ; "
               f"rdfs:comment \"synthetic {cls}\" .\n")

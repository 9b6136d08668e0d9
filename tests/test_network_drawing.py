"""The PNG / SVG drawings of the network are publication-ready: labels that do not overlap and
stay on the page, a legend and a title in French, nodes without links left out and counted."""

from __future__ import annotations

import networkx as nx
import pyoxigraph as ox
import pytest

from tdi_graph import network, network_drawing

DEFAULT = ("person", "organisation", "agreement", "event")


@pytest.fixture(scope="module")
def graph(store: ox.Store) -> nx.MultiDiGraph:
    return network.build(store)


def test_labels_do_not_overlap(graph: nx.MultiDiGraph) -> None:
    view = network.view(graph, types=DEFAULT)
    save, boxes = network_drawing._figure(view, "degree")
    linked = sum(1 for node in view if view.degree(node))
    assert len(boxes) >= 0.8 * linked  # most nodes keep their name
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)
    assert save("png").startswith(b"\x89PNG")


def test_the_legend_and_title_are_french(graph: nx.MultiDiGraph) -> None:
    view = network.view(graph, types=DEFAULT)
    svg = network.export(view, "svg", metric="betweenness").decode()
    for word in ("Type de nœud", "personne", "organisation", "accord", "événement"):
        assert word in svg
    isolated = sum(1 for node in view if view.degree(node) == 0)
    assert isolated > 0
    linked = view.number_of_nodes() - isolated
    assert f"Réseau tdi-graph : {linked} nœuds" in svg
    assert f"{isolated} nœuds sans lien omis" in svg and "taille selon intermédiarité" in svg
    assert ">type<" not in svg and " nodes" not in svg and "size by" not in svg


def test_a_focus_is_named_by_its_label(graph: nx.MultiDiGraph) -> None:
    svg = network.export(network.view(graph, focus="eric-lombard", depth=1), "svg").decode()
    assert "autour de Éric Lombard (profondeur 1)" in svg

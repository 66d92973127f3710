"""The article's reading flow around the block that holds its prose: the head between the
headline and that block (the standfirst, the lead), where templates put what the article
opens with outside its body. No I/O.

The head is read from the elements that sit, in document order, after the page's headline
(`<h1>`) and before the body block: the headline's later siblings, the body's earlier
siblings, and between them the children of the element both sit in. Nothing outside that
window is looked at, so a sidebar or a teaser list elsewhere on the page never joins.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from ..dom import ancestors


def headline_before(body: LexborNode, container: LexborNode) -> LexborNode | None:
    """The `<h1>` nearest before the container (outside it): the one whose common ancestor
    with the container is deepest. None when no headline comes before the body block."""
    above = {a.mem_id: depth for depth, a in enumerate(ancestors(container, self_too=True))}
    best: LexborNode | None = None
    best_depth = len(above) + 1
    for h1 in body.css("h1"):
        if _inside(h1, container):
            continue
        meeting, depth = _meeting(h1, above)
        if meeting is None or depth >= best_depth or not _comes_before(h1, container, meeting):
            continue
        best, best_depth = h1, depth
    return best


def _inside(node: LexborNode, container: LexborNode) -> bool:
    return any(a.mem_id == container.mem_id for a in ancestors(node))


def _meeting(node: LexborNode, above: dict[int, int]) -> tuple[LexborNode | None, int]:
    """The nearest common ancestor of `node` and the container (whose ancestors, with
    their distance from it, are `above`), and that distance."""
    for a in ancestors(node):
        if a.mem_id in above:
            return a, above[a.mem_id]
    return None, 0


def _branch(node: LexborNode, meeting: LexborNode) -> LexborNode:
    """The child of `meeting` that holds `node` (or is it)."""
    while node.parent is not None and node.parent.mem_id != meeting.mem_id:
        node = node.parent
    return node


def _comes_before(first: LexborNode, second: LexborNode, meeting: LexborNode) -> bool:
    one, two = _branch(first, meeting).mem_id, _branch(second, meeting).mem_id
    child = meeting.child
    while child is not None:
        if child.mem_id == one:
            return one != two
        if child.mem_id == two:
            return False
        child = child.next
    return False


def head_elements(headline: LexborNode, container: LexborNode) -> list[LexborNode]:
    """The elements between the headline and the container, in document order, each whole
    (an element is listed, not its descendants)."""
    above = {a.mem_id: depth for depth, a in enumerate(ancestors(container, self_too=True))}
    meeting, _ = _meeting(headline, above)
    if meeting is None:
        return []
    after_headline: list[LexborNode] = []
    node = headline
    while node.parent is not None and node.parent.mem_id != meeting.mem_id:
        after_headline.extend(_following(node))
        node = node.parent
    headline_branch = node
    before_body: list[list[LexborNode]] = []
    node = container
    while node.parent is not None and node.parent.mem_id != meeting.mem_id:
        before_body.append(_preceding(node))
        node = node.parent
    body_branch = node
    between: list[LexborNode] = []
    sibling = headline_branch.next
    while sibling is not None and sibling.mem_id != body_branch.mem_id:
        between.append(sibling)
        sibling = sibling.next
    # The body's earlier siblings come outermost level first.
    return after_headline + between + [n for level in reversed(before_body) for n in level]


def _following(node: LexborNode) -> list[LexborNode]:
    out = []
    sibling = node.next
    while sibling is not None:
        out.append(sibling)
        sibling = sibling.next
    return out


def _preceding(node: LexborNode) -> list[LexborNode]:
    out = []
    sibling = node.prev
    while sibling is not None:
        out.append(sibling)
        sibling = sibling.prev
    out.reverse()
    return out


"""Doubled blocks: a second copy of the block just before it (desktop and mobile versions,
a caption twice), removed from the pruned tree. No I/O."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..dom import node_text
from ..models import Removal
from .lines import snippet

_DOUBLE_TAGS = "p,h2,h3,h4,h5,h6,blockquote,figcaption"


def drop_doubled_blocks(tree: LexborHTMLParser, removed: list[Removal]) -> None:
    """A block whose text repeats the block just before it, from another container, is a
    second copy (desktop and mobile versions, a caption twice). Identical paragraphs side by
    side in one container are the author's and stay."""
    previous, previous_text = None, None
    block: set[int] = set()  # the previous block and the nodes found nested in it
    doubled = []
    for node in tree.css(_DOUBLE_TAGS):
        if previous is not None and _inside_block(node, block):
            continue  # a <p> inside the <blockquote> just seen is the same block
        text = node_text(node)
        if not text:
            continue
        same_parent = previous is not None and node.parent is not None and previous.parent is not None \
            and node.parent.mem_id == previous.parent.mem_id
        if text == previous_text and len(text.split()) >= 3 and not same_parent:
            doubled.append(node)
            continue
        previous, previous_text, block = node, text, {node.mem_id}
    for node in doubled:
        removed.append(Removal("doubled-block", snippet(node_text(node))))
        node.decompose()


def _inside_block(node: LexborNode, block: set[int]) -> bool:
    """Whether the node is nested in the block; what is found inside joins `block`, so a
    chain of nested blocks costs one step a node, not its depth."""
    chain: list[int] = []
    parent = node.parent
    while parent is not None:
        if parent.mem_id in block:
            block.update(chain)
            block.add(node.mem_id)
            return True
        chain.append(parent.mem_id)
        parent = parent.parent
    return False

"""Line numbers of keys and items inside a YAML document, from PyYAML's node tree."""
import yaml

from .yamlutil import SafeLoader


class Lines:
    """Answers 'on which line is questions[3].rubric?' for one YAML text; 1-based lines."""

    def __init__(self, text: str):
        try:
            self.root = yaml.compose(text, Loader=SafeLoader)
        except yaml.YAMLError:
            self.root = None

    def of(self, *path, default: int = 1) -> int:
        """The line of the last key (or item) of path; the nearest existing parent's line if it is absent."""
        node, line = self.root, default
        for step in path:
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                found = next(((k, v) for k, v in node.value if getattr(k, "value", None) == step), None)
                if found is None:
                    return line
                line, node = found[0].start_mark.line + 1, found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                return line
        return line

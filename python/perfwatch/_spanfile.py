"""Writing perfwatch's span file (``spans`` mode).

The background thread hands every drained batch to :class:`SpanFileSink`,
which encodes it as JSON Lines (the format of
``crates/perfwatch-model/src/span_file.rs``) and appends it in whole lines
with ``O_APPEND``, so that several processes of one iteration can share the
file. Folded calls are summed per aggregate and written as one ``agg``
part per aggregate and batch; counters of folded calls and of the process
are summed per name likewise.
"""

import json
import os
from typing import Any, Dict, List, Optional, Tuple

from ._numbers import json_name, json_number
from ._recorder import Agg, Frame
from ._stats import counts

#: Largest single write: whole lines up to this many bytes.
CHUNK_BYTES = 1 << 20


class SpanFileSink:
    """Encodes records and appends them to the span file."""

    def __init__(
        self,
        path: str,
        parent_span: Optional[str],
        offset_ns: int,
        pid: int,
        first_id: int = 1,
        parent_pid: Optional[int] = None,
    ) -> None:
        self.path = path
        #: Added to ``perf_counter_ns`` readings to make Unix times.
        self.offset_ns = offset_ns
        self.pid = pid
        #: Ids below this one were made by the parent of a forked process.
        self.first_id = first_id
        self.parent_pid = parent_pid if parent_pid is not None else pid
        self.root_parent = json.dumps(parent_span) if parent_span else "null"
        self.has_root_parent = parent_span is not None
        self._fd: Optional[int] = None

    # -- encoding ---------------------------------------------------------

    def _id(self, id: int) -> str:
        pid = self.pid if id >= self.first_id else self.parent_pid
        return f'"{pid}-{id}"'

    def _head(self, stage: Any) -> str:
        """``"name":…[,"tier":…][,"component":…]`` of a stage, cached on it."""
        cached = stage.encoded
        if cached is not None and cached[0] is self:
            return cached[1]  # type: ignore[no-any-return]
        head = '"name":' + json_name(stage.name)
        if stage.tier is not None:
            head += ',"tier":"' + stage.tier + '"'
        if stage.component is not None:
            head += ',"component":' + json_name(stage.component)
        stage.encoded = (self, head)
        return head

    def encode(self, items: List[Any]) -> List[str]:
        """The lines of one drained batch (folded calls summed)."""
        lines: List[str] = []
        aggs: Dict[Agg, List[int]] = {}
        sums: Dict[Tuple[Optional[int], Any], Any] = {}
        offset = self.offset_ns
        first_id = self.first_id
        for item in items:
            try:
                if item.__class__ is Frame:
                    agg = item.agg
                    if agg is not None:
                        part = aggs.get(agg)
                        if part is None:
                            aggs[agg] = [1, 0 if item.ok else 1, item.end - item.start, item.start, item.end]
                        else:
                            part[0] += 1
                            if not item.ok:
                                part[1] += 1
                            part[2] += item.end - item.start
                            part[4] = item.end
                        if item.counters:
                            for name, value in item.counters.items():
                                key = (agg.id, name)
                                sums[key] = sums.get(key, 0) + value
                        continue
                    if item.id < first_id:
                        continue  # opened before a fork: the parent writes it
                    parent = item.parent
                    span_id = self._id(item.id)
                    start = item.start + offset
                    lines.append(
                        '{"type":"span","id":%s,"parent":%s,%s,"start_unix_ns":%d,"end_unix_ns":%d,"ok":%s}\n'
                        % (
                            span_id,
                            self.root_parent if parent is None else self._id(parent.id),
                            self._head(item.stage),
                            start,
                            max(item.end + offset, start),
                            "true" if item.ok else "false",
                        )
                    )
                    if item.counters:
                        for name, value in item.counters.items():
                            self._counter(lines, name, value, span_id)
                elif item[0] == "counter":
                    key = (None, item[1])
                    sums[key] = sums.get(key, 0) + item[2]
                elif item[0] == "gauge":
                    number = json_number(item[2])
                    if number is None:
                        counts.add("lines_dropped")
                        continue
                    lines.append(
                        '{"type":"gauge","name":%s,"value":%s,"unix_ns":%d}\n'
                        % (json_name(item[1]), number, item[3] + offset)
                    )
            except Exception:
                counts.add("encode_errors")
        for agg, (calls, failed, total, start, end) in aggs.items():
            try:
                start += offset
                lines.append(
                    '{"type":"agg","id":%s,"parent":%s,%s,"start_unix_ns":%d,"end_unix_ns":%d,'
                    '"calls":%d,"failed":%d,"total_ns":%d}\n'
                    % (
                        self._id(agg.id),
                        self.root_parent if agg.parent is None else self._id(agg.parent.id),
                        self._head(agg.stage),
                        start,
                        max(end + offset, start),
                        calls,
                        failed,
                        total,
                    )
                )
            except Exception:
                counts.add("encode_errors")
        for (span, name), value in sums.items():
            try:
                if span is not None:
                    self._counter(lines, name, value, self._id(span))
                else:
                    self._counter(lines, name, value, self.root_parent if self.has_root_parent else None)
            except Exception:
                counts.add("encode_errors")
        return lines

    def _counter(self, lines: List[str], name: Any, value: Any, span: Optional[str]) -> None:
        number = json_number(value)
        if number is None:
            counts.add("lines_dropped")
            return
        if span is None:
            lines.append('{"type":"counter","name":%s,"value":%s}\n' % (json_name(name), number))
        else:
            lines.append(
                '{"type":"counter","name":%s,"value":%s,"span":%s}\n' % (json_name(name), number, span)
            )

    # -- writing ----------------------------------------------------------

    def write(self, items: List[Any]) -> None:
        """Encodes ``items`` and appends their lines to the file."""
        if not items:
            return
        lines = self.encode(items)
        start = 0
        while start < len(lines):
            end, size = start, 0
            while end < len(lines) and (size == 0 or size + len(lines[end]) <= CHUNK_BYTES):
                size += len(lines[end])
                end += 1
            self._append("".join(lines[start:end]).encode("ascii"), end - start)
            start = end

    def _append(self, data: bytes, lines: int) -> None:
        """Appends whole lines; on failure counts them dropped."""
        try:
            if self._fd is None:
                self._fd = os.open(
                    self.path,
                    os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0),
                    0o644,
                )
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            counts.add("lines_written", lines)
        except (OSError, ValueError):
            counts.add("write_errors")
            counts.add("lines_dropped", lines)
            self.close()

    def close(self) -> None:
        """Closes the file (it is opened again by the next write)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

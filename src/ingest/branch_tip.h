// The one rule for where the current branch ends when `current_node` names
// no node, shared by the summary (conversation.cc, a SAX reader that meets
// the mapping in document order) and the renderer (conversation_render.cc, a
// DOM whose objects iterate in key order): a rule that leaned on either order
// would let `list` and `restore --format md` show different branches.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace gptvault::ingest {

struct Leaf {
  std::string_view id;  // the node's key in `mapping`
  std::optional<double>
      time;  // its message's update_time, else create_time; none without a message
};

// Which leaf ends the current branch: the latest time; a timed leaf beats an
// untimed one; equal (or no) times go to the smallest id in byte order, so
// the answer does not depend on the order the leaves come in. Empty when
// there are no leaves.
std::optional<size_t> LatestLeaf(const std::vector<Leaf>& leaves);

}  // namespace gptvault::ingest

#pragma once
/** The colours and words of connection states, shared by the lanes and the legend. */
#include <QColor>
#include <QString>

#include "engine/client/pool_types.h"

namespace sluice::ui {

/** Mid-tone colours that read on both light and dark palettes. */
QColor stateColor(client::ConnState s);
/** "connecting", "writing", "awaiting head", "streaming (held)", ... */
QString stateLabel(client::ConnState s);
/** The TLS handshake, drawn as its own stretch after the TCP connect (lanes, legend, timing bar). */
QColor tlsHandshakeColor();
inline QString tlsHandshakeLabel() { return QStringLiteral("TLS handshake"); }
/** All states in the order of a connection's life. */
constexpr client::ConnState kAllStates[] = {client::ConnState::kConnecting, client::ConnState::kWriting,
                                            client::ConnState::kAwaitingHead, client::ConnState::kStreaming,
                                            client::ConnState::kDraining, client::ConnState::kIdle,
                                            client::ConnState::kClosed};

}  // namespace sluice::ui

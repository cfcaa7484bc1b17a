// The renderer's entry: runs in the page (Electron window or a browser tab), sandboxed, with no Node.
// It may import src/shared and npm packages for the browser, never src/main or src/preload. It picks
// the transport, builds the query client and mounts the app.

import { QueryClient } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { isPermanent } from './api/api-error'
import { ApiProvider } from './api/ApiProvider'
import { selectTransport } from './api/select-transport'
import { App } from './App'
import { startTheme } from './lib/theme'
import './styles/theme.css'
import './styles/base.css'

startTheme()
const transport = selectTransport()
const client = new QueryClient({
  defaultOptions: {
    queries: {
      // Events keep queries current; a focus change is no reason to ask again.
      refetchOnWindowFocus: false,
      staleTime: 10_000,
      retry: (failures, error) => !isPermanent(error) && failures < 2,
    },
    mutations: { retry: false },
  },
})

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element.')
createRoot(root).render(
  <StrictMode>
    <ApiProvider transport={transport} client={client}>
      <App />
    </ApiProvider>
  </StrictMode>,
)
